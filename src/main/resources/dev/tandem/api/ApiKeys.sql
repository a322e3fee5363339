-- name: insert
INSERT INTO api_key (id, name, key_hash, prefix, created_at, scopes, expires_at)
VALUES (:id, :name, :keyHash, :prefix, :createdAt, :scopes, :expiresAt)
ON CONFLICT (key_hash) DO NOTHING

-- name: byHash
SELECT id, name, prefix, scopes, created_at, expires_at, last_used_at, revoked_at
FROM api_key WHERE key_hash = :keyHash

-- name: list
SELECT id, name, prefix, scopes, created_at, expires_at, last_used_at, revoked_at
FROM api_key ORDER BY created_at, id

-- name: revoke
UPDATE api_key SET revoked_at = coalesce(revoked_at, :now) WHERE id = :id
RETURNING id, name, prefix, scopes, created_at, expires_at, last_used_at, revoked_at

-- name: used
UPDATE api_key SET last_used_at = :now
WHERE id = :id AND (last_used_at IS NULL OR last_used_at < :staleBefore)
