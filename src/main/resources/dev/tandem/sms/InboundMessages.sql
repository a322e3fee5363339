-- name: insert
INSERT INTO inbound_sms (id, contact_id, sender, recipient, text, data_coding, esm_class,
                         user_data, received_at)
VALUES (:id, CAST(:contactId AS uuid), :sender, :recipient, :text, :dataCoding, :esmClass, :userData,
        :receivedAt)

-- name: lockConcatenation
SELECT pg_advisory_xact_lock(hashtext(:sender || '/' || :reference || '/' || :total))

-- name: insertPart
INSERT INTO inbound_sms_part (sender, reference, total, seq, recipient, text, data_coding,
                              esm_class, user_data, received_at)
VALUES (:sender, :reference, :total, :seq, :recipient, :text, :dataCoding, :esmClass, :userData,
        :receivedAt)
ON CONFLICT (sender, reference, total, seq) DO NOTHING

-- name: parts
SELECT seq, text, user_data, received_at FROM inbound_sms_part
WHERE sender = :sender AND reference = :reference AND total = :total
ORDER BY seq

-- name: deleteParts
DELETE FROM inbound_sms_part WHERE sender = :sender AND reference = :reference AND total = :total

-- name: page
-- Newest first by id (UUIDv7), down from the cursor along the primary key.
SELECT id, contact_id, sender, recipient, text, received_at
FROM inbound_sms
WHERE id < :before AND (CAST(:contactId AS uuid) IS NULL OR contact_id = CAST(:contactId AS uuid))
ORDER BY id DESC
LIMIT :limit
