-- name: all
SELECT key, class, description, policy::text AS policy FROM topic ORDER BY key

-- name: seed
INSERT INTO topic (key, class, description, policy, created_at, updated_at)
VALUES (:key, :class, :description, cast(:policy AS jsonb), :now, :now)
ON CONFLICT (key) DO NOTHING

-- name: upsert
INSERT INTO topic (key, class, description, policy, created_at, updated_at)
VALUES (:key, :class, :description, cast(:policy AS jsonb), :now, :now)
ON CONFLICT (key) DO UPDATE
  SET class = excluded.class, description = excluded.description, policy = excluded.policy,
      updated_at = excluded.updated_at
RETURNING (xmax = 0) AS created

-- name: usedBy
SELECT 'messages' AS what WHERE EXISTS (SELECT 1 FROM message WHERE topic = :key)
UNION ALL
SELECT 'consent events' WHERE EXISTS (SELECT 1 FROM consent_event WHERE topic = :key)
UNION ALL
SELECT 'pending opt-ins' WHERE EXISTS (SELECT 1 FROM consent_pending WHERE topic = :key)
UNION ALL
SELECT 'preferences' WHERE EXISTS (SELECT 1 FROM preference WHERE topic = :key)

-- name: lock
SELECT key FROM topic WHERE key = :key FOR UPDATE

-- name: delete
DELETE FROM topic WHERE key = :key
