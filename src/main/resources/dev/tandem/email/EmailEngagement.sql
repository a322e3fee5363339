-- name: delivery
SELECT d.id, d.message_id, d.contact_id, d.address, m.topic, m.content::text AS content
FROM delivery d JOIN message m ON m.id = d.message_id
WHERE d.id = :id AND d.channel = 'email'
