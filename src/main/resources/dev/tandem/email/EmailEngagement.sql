-- name: delivery
SELECT d.id, d.message_id, d.contact_id, d.address, m.content::text AS content
FROM delivery d JOIN message m ON m.id = d.message_id
WHERE d.id = :id AND d.channel = 'email'

-- name: suppress
INSERT INTO suppression (channel, address, scope, reason, created_at)
VALUES ('email', :address, 'marketing', :reason, :now)
ON CONFLICT (channel, address, scope) DO NOTHING
