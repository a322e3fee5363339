-- name: insert
INSERT INTO suppression (channel, address, scope, reason, created_at)
VALUES (:channel, :address, 'all', :reason, :now)
ON CONFLICT (channel, address, scope) DO UPDATE SET reason = EXCLUDED.reason
WHERE suppression.reason LIKE 'manual: %'

-- name: list
SELECT channel, address, scope, reason, created_at FROM suppression
WHERE channel = :channel AND address = :address
ORDER BY created_at

-- name: delete
DELETE FROM suppression WHERE channel = :channel AND address = :address AND reason LIKE :prefix
