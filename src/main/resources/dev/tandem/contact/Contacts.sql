-- name: insertContact
INSERT INTO contact (id, external_id, name, time_zone, locale, created_at)
VALUES (:id, :externalId, :name, :timeZone, :locale, :createdAt)

-- name: insertAddress
INSERT INTO contact_address (kind, value, contact_id, created_at)
VALUES (:kind, :value, :contactId, :createdAt)
ON CONFLICT (kind, value) DO NOTHING

-- name: ownerOfAddress
SELECT contact_id FROM contact_address WHERE kind = :kind AND value = :value

-- name: ownerOfExternalId
SELECT id FROM contact WHERE external_id = :externalId

-- name: findByAddress
-- The contact owning an address, in one statement (accepting resolves recipients with it).
SELECT c.id, c.external_id, c.name, c.time_zone, c.locale, c.created_at,
       (SELECT value FROM contact_address a WHERE a.contact_id = c.id AND a.kind = 'phone'
         ORDER BY a.created_at LIMIT 1) AS phone,
       (SELECT value FROM contact_address a WHERE a.contact_id = c.id AND a.kind = 'email'
         ORDER BY a.created_at LIMIT 1) AS email,
       ARRAY(SELECT value FROM contact_address a WHERE a.contact_id = c.id AND a.kind = 'phone'
         ORDER BY a.created_at, a.value) AS phones,
       ARRAY(SELECT value FROM contact_address a WHERE a.contact_id = c.id AND a.kind = 'email'
         ORDER BY a.created_at, a.value) AS emails,
       c.merged_into
FROM contact c
WHERE c.id = (SELECT contact_id FROM contact_address WHERE kind = :kind AND value = :value)

-- name: findById
SELECT c.id, c.external_id, c.name, c.time_zone, c.locale, c.created_at,
       (SELECT value FROM contact_address a WHERE a.contact_id = c.id AND a.kind = 'phone'
         ORDER BY a.created_at LIMIT 1) AS phone,
       (SELECT value FROM contact_address a WHERE a.contact_id = c.id AND a.kind = 'email'
         ORDER BY a.created_at LIMIT 1) AS email,
       ARRAY(SELECT value FROM contact_address a WHERE a.contact_id = c.id AND a.kind = 'phone'
         ORDER BY a.created_at, a.value) AS phones,
       ARRAY(SELECT value FROM contact_address a WHERE a.contact_id = c.id AND a.kind = 'email'
         ORDER BY a.created_at, a.value) AS emails,
       c.merged_into
FROM contact c
WHERE c.id = :id

-- name: survivorOf
-- A merged contact forwards to the contact that absorbed it (and so on).
WITH RECURSIVE chain(id, merged_into, depth) AS (
  SELECT id, merged_into, 0 FROM contact WHERE id = :id
  UNION ALL
  SELECT c.id, c.merged_into, chain.depth + 1 FROM contact c JOIN chain ON c.id = chain.merged_into
  WHERE chain.depth < 100
)
SELECT id FROM chain WHERE merged_into IS NULL

-- name: lockPair
SELECT id, external_id, name, time_zone, merged_into, erased_at FROM contact
WHERE id IN (:a, :b) ORDER BY id FOR UPDATE

-- name: moveAddresses
UPDATE contact_address SET contact_id = :survivor WHERE contact_id = :merged

-- name: absorb
-- The survivor keeps its own fields and takes what it lacks from the merged contact.
UPDATE contact s
SET name = COALESCE(s.name, m.name),
    time_zone = COALESCE(s.time_zone, m.time_zone),
    locale = COALESCE(s.locale, m.locale)
FROM contact m
WHERE s.id = :survivor AND m.id = :merged

-- name: tombstone
UPDATE contact SET merged_into = :survivor, external_id = NULL WHERE id = :merged

-- name: setExternalId
UPDATE contact SET external_id = :externalId WHERE id = :survivor AND external_id IS NULL

-- name: insertMerge
INSERT INTO contact_merge (survivor, merged, automatic, reason, at)
VALUES (:survivor, :merged, :automatic, :reason, :at)

-- name: mergesOf
SELECT id, survivor, merged, automatic, reason, at FROM contact_merge
WHERE survivor = :id OR merged = :id
ORDER BY id

-- name: erasedAt
SELECT erased_at FROM contact WHERE id = :id AND erased_at IS NOT NULL

-- name: updateFields
UPDATE contact SET name = :name, external_id = :externalId, time_zone = :timeZone, locale = :locale
WHERE id = :id

-- name: deleteAddresses
DELETE FROM contact_address WHERE contact_id = ANY(CAST(:ids AS uuid[]))

-- name: eraseContacts
UPDATE contact SET name = NULL, external_id = NULL, time_zone = NULL, locale = NULL,
  erased_at = :now
WHERE id = ANY(CAST(:ids AS uuid[]))

-- name: updateProfile
-- A PATCH: each field is set only when the request named it (a null clears it).
UPDATE contact
SET name = CASE WHEN :setName THEN :name ELSE name END,
    time_zone = CASE WHEN :setTimeZone THEN :timeZone ELSE time_zone END,
    locale = CASE WHEN :setLocale THEN :locale ELSE locale END
WHERE id = :id AND erased_at IS NULL AND merged_into IS NULL

-- name: page
-- Newest first by id (UUIDv7: creation order to the millisecond, ties in a stable order), from
-- the primary key; the first page passes the highest id. A merged record forwards to its survivor
-- and is left out.
SELECT c.id, c.external_id, c.name, c.time_zone, c.locale, c.created_at,
       (SELECT value FROM contact_address a WHERE a.contact_id = c.id AND a.kind = 'phone'
         ORDER BY a.created_at LIMIT 1) AS phone,
       (SELECT value FROM contact_address a WHERE a.contact_id = c.id AND a.kind = 'email'
         ORDER BY a.created_at LIMIT 1) AS email,
       ARRAY(SELECT value FROM contact_address a WHERE a.contact_id = c.id AND a.kind = 'phone'
         ORDER BY a.created_at, a.value) AS phones,
       ARRAY(SELECT value FROM contact_address a WHERE a.contact_id = c.id AND a.kind = 'email'
         ORDER BY a.created_at, a.value) AS emails,
       c.merged_into
FROM contact c
WHERE c.id < :after AND c.merged_into IS NULL
ORDER BY c.id DESC
LIMIT :limit
