-- name: insert
INSERT INTO sms_problem (kind, source, raw, reason, received_at)
VALUES (:kind, :source, :raw, :reason, :receivedAt)

-- name: recent
SELECT kind, source, raw, reason, received_at FROM sms_problem ORDER BY id DESC LIMIT :limit
