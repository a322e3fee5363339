-- name: insert
INSERT INTO consent_pending (id, contact_id, channel, topic, wording, status, expires_at, created_at)
VALUES (:id, :contactId, :channel, :topic, :wording, 'pending', :expiresAt, :now)

-- name: byId
SELECT * FROM consent_pending WHERE id = :id

-- name: latestSms
SELECT * FROM consent_pending
WHERE contact_id = :contactId AND channel = 'sms' AND status = 'pending' AND expires_at >= :now
ORDER BY created_at DESC
LIMIT 1

-- name: confirm
UPDATE consent_pending SET status = 'confirmed', confirmed_at = :now
WHERE id = :id AND status = 'pending'

-- name: cancel
DELETE FROM consent_pending WHERE id = :id AND status = 'pending'
