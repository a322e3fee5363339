-- name: insertLink
INSERT INTO short_link (code, message_id, contact_id, url, created_at)
VALUES (:code, :messageId, :contactId, :url, :now)
ON CONFLICT (code) DO NOTHING

-- name: click
UPDATE short_link
SET clicks = clicks + 1, first_click_at = COALESCE(first_click_at, :now)
WHERE code = :code
RETURNING url, contact_id, message_id, clicks

-- name: mergeLinks
UPDATE short_link SET contact_id = :into WHERE contact_id = :from

-- name: eraseLinks
DELETE FROM short_link WHERE contact_id = ANY(CAST(:ids AS uuid[]))

-- name: target
SELECT url FROM short_link WHERE code = :code
