-- name: lockKey
-- One save of a key at a time, so versions are numbered without gaps or duplicates.
SELECT pg_advisory_xact_lock(hashtext('template:' || :key))

-- name: latest
SELECT t.current_version, t.deleted_at, v.body::text AS body
FROM template t JOIN template_version v ON v.key = t.key AND v.version = t.current_version
WHERE t.key = :key

-- name: maxVersion
SELECT COALESCE(MAX(version), 0) FROM template_version WHERE key = :key

-- name: upsertTemplate
INSERT INTO template (key, current_version, created_at, updated_at)
VALUES (:key, :version, :now, :now)
ON CONFLICT (key) DO UPDATE
SET current_version = EXCLUDED.current_version, updated_at = EXCLUDED.updated_at, deleted_at = NULL

-- name: insertVersion
INSERT INTO template_version (key, version, body, created_at)
VALUES (:key, :version, CAST(:body AS jsonb), :now)

-- name: current
SELECT t.key, t.current_version AS version, v.body::text AS body, t.created_at, t.updated_at
FROM template t JOIN template_version v ON v.key = t.key AND v.version = t.current_version
WHERE t.key = :key AND t.deleted_at IS NULL

-- name: version
SELECT v.key, v.version, v.body::text AS body, t.created_at, v.created_at AS updated_at
FROM template_version v JOIN template t ON t.key = v.key
WHERE v.key = :key AND v.version = :version

-- name: all
SELECT t.key, t.current_version AS version, v.body::text AS body, t.created_at, t.updated_at
FROM template t JOIN template_version v ON v.key = t.key AND v.version = t.current_version
WHERE t.deleted_at IS NULL
ORDER BY t.key

-- name: versions
SELECT version, created_at FROM template_version WHERE key = :key ORDER BY version DESC

-- name: deleteTemplate
-- Versions stay: messages name the version they were rendered from.
UPDATE template SET deleted_at = :now WHERE key = :key AND deleted_at IS NULL

-- name: upsertSnippet
INSERT INTO snippet (key, text, html, updated_at) VALUES (:key, :text, :html, :now)
ON CONFLICT (key) DO UPDATE SET text = EXCLUDED.text, html = EXCLUDED.html,
  updated_at = EXCLUDED.updated_at

-- name: snippets
SELECT key, text, html, updated_at FROM snippet ORDER BY key

-- name: deleteSnippet
DELETE FROM snippet WHERE key = :key
