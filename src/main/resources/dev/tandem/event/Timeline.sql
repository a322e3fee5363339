-- name: insert
INSERT INTO event (contact_id, at, type, channel, message_id, delivery_id, detail)
VALUES (:contactId, :at, :type, :channel, CAST(:messageId AS uuid), CAST(:deliveryId AS uuid),
        CAST(:detail AS jsonb))

-- name: forContact
SELECT contact_id, at, type, channel, message_id, delivery_id, detail::text AS detail
FROM event
WHERE contact_id = :contactId
ORDER BY at, id
LIMIT :limit
