-- name: owners
-- One primary-key probe per key, whatever the statistics say: the LIMIT keeps the planner from
-- turning the lateral lookup into a join, which after a dry run (rows ANALYZE never saw) became a
-- walk over the whole table for every chunk. (kind, value) is the key: at most one row anyway.
SELECT k.kind, k.value, a.contact_id
FROM unnest(CAST(:kinds AS text[]), CAST(:values AS text[])) AS k(kind, value)
CROSS JOIN LATERAL (
  SELECT a.contact_id FROM contact_address a WHERE a.kind = k.kind AND a.value = k.value LIMIT 1
) a
UNION ALL
SELECT 'ext', c.external_id, c.id
FROM contact c
WHERE c.external_id = ANY(ARRAY(SELECT v FROM unnest(CAST(:kinds AS text[]), CAST(:values AS text[])) AS k(kind, v) WHERE kind = 'ext'))

-- name: contactsById
SELECT id, name, external_id, time_zone, locale FROM contact WHERE id = ANY(CAST(:ids AS uuid[]))

-- name: erasedAmong
-- By (channel, address): the primary key's order, one index probe per hash.
SELECT s.address
FROM unnest(CAST(:channels AS text[]), CAST(:hashes AS text[])) AS v(channel, address)
JOIN suppression s ON s.channel = v.channel AND s.address = v.address

-- name: statesOf
SELECT contact_id, channel, topic, status FROM consent_state WHERE contact_id = ANY(CAST(:ids AS uuid[]))

-- name: existingKeys
SELECT dedupe_key FROM consent_event WHERE dedupe_key = ANY(CAST(:keys AS text[]))

