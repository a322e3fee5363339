-- name: bounced
-- A hard bounce (or the last of the soft ones) reported by inbound mail.
UPDATE delivery SET status = 'failed', last_error = :error, updated_at = :now
WHERE id = :id AND status IN ('sent', 'delivered', 'queued', 'sending')

-- name: sendAgain
UPDATE delivery SET status = 'queued', next_attempt_at = :at, last_error = :error, updated_at = :now
WHERE id = :id AND status IN ('sent', 'delivered')
