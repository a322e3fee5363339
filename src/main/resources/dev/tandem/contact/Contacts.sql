-- name: insertContact
INSERT INTO contact (id, external_id, name, time_zone, created_at)
VALUES (:id, :externalId, :name, :timeZone, :createdAt)

-- name: insertAddress
INSERT INTO contact_address (kind, value, contact_id, created_at)
VALUES (:kind, :value, :contactId, :createdAt)
ON CONFLICT (kind, value) DO NOTHING

-- name: ownerOfAddress
SELECT contact_id FROM contact_address WHERE kind = :kind AND value = :value

-- name: ownerOfExternalId
SELECT id FROM contact WHERE external_id = :externalId

-- name: findById
SELECT c.id, c.external_id, c.name, c.time_zone, c.created_at,
       (SELECT value FROM contact_address a WHERE a.contact_id = c.id AND a.kind = 'phone'
         ORDER BY a.created_at LIMIT 1) AS phone,
       (SELECT value FROM contact_address a WHERE a.contact_id = c.id AND a.kind = 'email'
         ORDER BY a.created_at LIMIT 1) AS email
FROM contact c
WHERE c.id = :id
