-- name: create
INSERT INTO secret (name, value, created_at) VALUES (:name, :value, now())
ON CONFLICT (name) DO NOTHING

-- name: get
SELECT value FROM secret WHERE name = :name

-- name: delete
DELETE FROM secret WHERE name = :name
