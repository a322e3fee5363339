-- name: ofContact
SELECT topic, channel, source, updated_at FROM preference WHERE contact_id = :contactId ORDER BY topic

-- name: one
SELECT channel FROM preference WHERE contact_id = :contactId AND topic = :topic

-- name: upsert
INSERT INTO preference AS p (contact_id, topic, channel, source, updated_at)
VALUES (:contactId, :topic, :channel, :source, :now)
ON CONFLICT (contact_id, topic) DO UPDATE
  SET channel = excluded.channel, source = excluded.source, updated_at = excluded.updated_at
RETURNING (SELECT channel FROM preference WHERE contact_id = :contactId AND topic = :topic)
  AS previous

-- name: clear
DELETE FROM preference WHERE contact_id = :contactId AND topic = :topic RETURNING channel

-- name: merge
INSERT INTO preference (contact_id, topic, channel, source, updated_at)
SELECT :into, topic, channel, source, updated_at FROM preference WHERE contact_id = :from
ON CONFLICT (contact_id, topic) DO NOTHING

-- name: erase
DELETE FROM preference WHERE contact_id = :contactId
