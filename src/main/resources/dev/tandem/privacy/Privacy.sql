-- name: family
-- The contact and every contact merged into it (their records are the same person's).
WITH RECURSIVE family(id) AS (
  SELECT CAST(:id AS uuid)
  UNION
  SELECT c.id FROM contact c JOIN family f ON c.merged_into = f.id
)
SELECT id FROM family

-- name: addresses
SELECT kind, value FROM contact_address WHERE contact_id = ANY(CAST(:ids AS uuid[]))
UNION
SELECT CASE channel WHEN 'sms' THEN 'phone' ELSE 'email' END, address FROM delivery
WHERE contact_id = ANY(CAST(:ids AS uuid[])) AND address <> 'erased'
UNION
SELECT 'phone', sender FROM inbound_sms WHERE contact_id = ANY(CAST(:ids AS uuid[]))

-- name: exportContact
SELECT row_to_json(c)::text FROM (
  SELECT id, external_id, name, time_zone, created_at, erased_at,
         (SELECT coalesce(json_agg(json_build_object('kind', kind, 'value', value, 'since', created_at) ORDER BY kind, created_at), '[]')
            FROM contact_address WHERE contact_id = ANY(CAST(:ids AS uuid[]))) AS addresses,
         (SELECT coalesce(json_agg(m.id), '[]') FROM contact m
            WHERE m.id = ANY(CAST(:ids AS uuid[])) AND m.id <> :id) AS merged_records
  FROM contact WHERE id = :id
) c

-- name: exportMessages
SELECT coalesce(json_agg(m ORDER BY m.created_at), '[]')::text FROM (
  SELECT m.id, m.topic, m.content, m.created_at,
         (SELECT coalesce(json_agg(json_build_object(
                   'id', d.id, 'channel', d.channel, 'address', d.address, 'status', d.status,
                   'attempts', d.attempts, 'lastError', d.last_error, 'segments', d.segments,
                   'cost', d.cost, 'currency', d.currency, 'updatedAt', d.updated_at)), '[]')
            FROM delivery d WHERE d.message_id = m.id) AS deliveries
  FROM message m WHERE m.contact_id = ANY(CAST(:ids AS uuid[]))
) m

-- name: exportInboundSms
SELECT coalesce(json_agg(s ORDER BY s.received_at), '[]')::text FROM (
  SELECT id, sender, recipient, text, received_at FROM inbound_sms
  WHERE contact_id = ANY(CAST(:ids AS uuid[]))
) s

-- name: exportInboundEmail
SELECT coalesce(json_agg(e ORDER BY e.received_at), '[]')::text FROM (
  SELECT id, kind, sender, subject, new_text, status, received_at FROM inbound_email
  WHERE contact_id = ANY(CAST(:ids AS uuid[]))
) e

-- name: exportConsents
SELECT coalesce(json_agg(e ORDER BY e.id), '[]')::text FROM (
  SELECT id, channel, topic, action, source, wording, evidence, at, recorded_at FROM consent_event
  WHERE contact_id = ANY(CAST(:ids AS uuid[]))
) e

-- name: exportTimeline
SELECT coalesce(json_agg(e ORDER BY e.at, e.id), '[]')::text FROM (
  SELECT id, at, type, channel, message_id, delivery_id, detail FROM event
  WHERE contact_id = ANY(CAST(:ids AS uuid[]))
) e

-- name: exportMerges
SELECT coalesce(json_agg(m ORDER BY m.at), '[]')::text FROM (
  SELECT survivor, merged, automatic, reason, at FROM contact_merge
  WHERE survivor = ANY(CAST(:ids AS uuid[])) OR merged = ANY(CAST(:ids AS uuid[]))
) m

-- name: exportFlags
SELECT coalesce(json_agg(f ORDER BY f.created_at), '[]')::text FROM (
  SELECT kind, channel, text, created_at, resolved_at FROM contact_flag
  WHERE contact_id = ANY(CAST(:ids AS uuid[]))
) f

-- name: exportSuppressions
SELECT coalesce(json_agg(s), '[]')::text FROM (
  SELECT channel, address, scope, reason, created_at FROM suppression
  WHERE address = ANY(CAST(:addresses AS text[]))
) s

-- name: suppressErased
INSERT INTO suppression (channel, address, scope, reason, created_at)
SELECT * FROM unnest(CAST(:channels AS text[]), CAST(:hashes AS text[])) AS v(channel, hash)
CROSS JOIN (VALUES ('all', 'erased at the person''s request', CAST(:now AS timestamptz))) AS x(scope, reason, at)
ON CONFLICT (channel, address, scope) DO NOTHING

-- name: dropSuppressions
DELETE FROM suppression WHERE address = ANY(CAST(:addresses AS text[]))

-- name: eraseMessages
UPDATE message SET content = '{"erased": true}', idempotency_key = NULL
WHERE contact_id = ANY(CAST(:ids AS uuid[]))

-- name: eraseReceipts
UPDATE sms_receipt SET raw = 'erased' WHERE delivery_id IN (
  SELECT id FROM delivery WHERE contact_id = ANY(CAST(:ids AS uuid[])))

-- name: eraseDeliveries
UPDATE delivery SET address = 'erased', last_error = NULL
WHERE contact_id = ANY(CAST(:ids AS uuid[]))

-- name: deleteInboundSms
DELETE FROM inbound_sms WHERE contact_id = ANY(CAST(:ids AS uuid[]))

-- name: deleteInboundSmsParts
DELETE FROM inbound_sms_part WHERE sender = ANY(CAST(:addresses AS text[]))

-- name: deleteSmsProblems
DELETE FROM sms_problem
WHERE source = ANY(CAST(:addresses AS text[]))
   OR raw ILIKE ANY(ARRAY(SELECT '%' || a || '%' FROM unnest(CAST(:addresses AS text[])) a))

-- name: deleteInboundEmail
DELETE FROM inbound_email
WHERE contact_id = ANY(CAST(:ids AS uuid[]))
   OR sender ILIKE ANY(ARRAY(SELECT '%' || a || '%' FROM unnest(CAST(:addresses AS text[])) a))

-- name: deleteEvents
DELETE FROM event WHERE contact_id = ANY(CAST(:ids AS uuid[]))

-- name: eraseConsentEvidence
-- The ledger keeps what was agreed and withdrawn, when and how; not who, where from, or with which
-- device.
UPDATE consent_event SET evidence = '{"erased": true}'
WHERE contact_id = ANY(CAST(:ids AS uuid[]))

-- name: deletePending
DELETE FROM consent_pending WHERE contact_id = ANY(CAST(:ids AS uuid[]))

-- name: deleteFlags
DELETE FROM contact_flag WHERE contact_id = ANY(CAST(:ids AS uuid[]))

-- name: eraseChanges
UPDATE change SET data = '{"erased": true}' WHERE contact_id = ANY(CAST(:ids AS uuid[]))

-- name: deleteAddresses
DELETE FROM contact_address WHERE contact_id = ANY(CAST(:ids AS uuid[]))

-- name: eraseContacts
UPDATE contact SET name = NULL, external_id = NULL, time_zone = NULL, erased_at = :now
WHERE id = ANY(CAST(:ids AS uuid[]))
