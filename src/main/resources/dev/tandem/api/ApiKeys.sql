-- name: insert
INSERT INTO api_key (id, name, key_hash, prefix, created_at)
VALUES (:id, :name, :keyHash, :prefix, :createdAt)
ON CONFLICT (key_hash) DO NOTHING

-- name: exists
SELECT EXISTS (SELECT 1 FROM api_key WHERE key_hash = :keyHash)
