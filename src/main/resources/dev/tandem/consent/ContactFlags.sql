-- name: insert
INSERT INTO contact_flag (contact_id, kind, channel, text, inbound_id, created_at)
VALUES (:contactId, :kind, :channel, :text, CAST(:inboundId AS uuid), :now)

-- name: ofContact
SELECT * FROM contact_flag WHERE contact_id = :contactId ORDER BY id

-- name: open
SELECT * FROM contact_flag WHERE resolved_at IS NULL ORDER BY created_at, id LIMIT :limit

-- name: resolve
UPDATE contact_flag SET resolved_at = :now WHERE id = :id AND resolved_at IS NULL
