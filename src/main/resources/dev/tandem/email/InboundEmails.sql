-- name: deliveryById
SELECT id, message_id, contact_id, address, status FROM delivery
WHERE id = :id AND channel = 'email' AND provider_id IS NOT NULL

-- name: deliveryByMessageId
SELECT id, message_id, contact_id, address, status FROM delivery
WHERE provider_id = ANY(CAST(:ids AS text[])) AND channel = 'email'
ORDER BY created_at DESC
LIMIT 1

-- name: insert
INSERT INTO inbound_email (id, kind, sender, subject, verp_token, delivery_id, contact_id, status,
                           diagnostic, new_text, full_text, problem, size, received_at, unmatched)
VALUES (:id, :kind, :sender, :subject, :verpToken, CAST(:deliveryId AS uuid),
        CAST(:contactId AS uuid), :status, :diagnostic, :newText, :fullText, :problem, :size,
        :receivedAt, :unmatched)

-- name: softBounces
SELECT count(*) FROM inbound_email WHERE delivery_id = :id AND kind = 'soft_bounce'

-- name: unmatched
SELECT id, kind, sender, subject, status, contact_id, unmatched, left(new_text, 1000) AS text,
       received_at
FROM inbound_email
WHERE unmatched IS NOT NULL
ORDER BY received_at DESC, id DESC
LIMIT :limit

-- name: page
-- Newest first by id (UUIDv7), down from the cursor along the primary key.
SELECT id, kind, contact_id, delivery_id, sender, subject, status, new_text, unmatched,
       received_at
FROM inbound_email
WHERE id < :before AND (CAST(:contactId AS uuid) IS NULL OR contact_id = CAST(:contactId AS uuid))
ORDER BY id DESC
LIMIT :limit
