-- name: insert
-- Any number of events in one statement (a dispatch round writes one per delivery).
INSERT INTO event (contact_id, at, type, channel, message_id, delivery_id, detail)
SELECT c, CAST(a AS timestamptz), t, ch, m, d, CAST(x AS jsonb)
FROM unnest(CAST(:contactIds AS uuid[]), CAST(:ats AS text[]), CAST(:types AS text[]),
            CAST(:channels AS text[]), CAST(:messageIds AS uuid[]), CAST(:deliveryIds AS uuid[]),
            CAST(:details AS text[])) AS v(c, a, t, ch, m, d, x)

-- name: page
-- Newest first, from the cursor (the last event shown) down, along event_contact_time.
SELECT id, contact_id, at, type, channel, message_id, delivery_id, detail::text AS detail
FROM event
WHERE contact_id = :contactId AND (at, id) < (CAST(:at AS timestamptz), CAST(:id AS bigint))
ORDER BY at DESC, id DESC
LIMIT :limit
