-- name: insert
INSERT INTO inbound_sms (id, contact_id, sender, recipient, text, data_coding, received_at)
VALUES (:id, :contactId, :sender, :recipient, :text, :dataCoding, :receivedAt)
