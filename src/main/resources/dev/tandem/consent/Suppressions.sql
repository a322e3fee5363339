-- name: insert
INSERT INTO suppression (channel, address, scope, reason, created_at)
VALUES (:channel, :address, 'all', :reason, :now)
ON CONFLICT (channel, address, scope) DO UPDATE SET reason = EXCLUDED.reason
WHERE suppression.reason LIKE 'manual: %'

-- name: list
SELECT channel, address, scope, reason, created_at FROM suppression
WHERE channel = :channel AND address = :address
ORDER BY created_at

-- name: delete
DELETE FROM suppression WHERE channel = :channel AND address = :address AND reason LIKE :prefix

-- name: ofAddresses
-- What the send gate reads for a batch: every suppression of these addresses (an erased one is
-- asked for by its hash), 'all' before 'marketing'.
SELECT address, scope, reason FROM suppression
WHERE channel = :channel AND address = ANY(CAST(:addresses AS text[]))
ORDER BY scope

-- name: insertReported
-- A hard bounce or a complaint: the first report is kept, a later one adds nothing.
INSERT INTO suppression (channel, address, scope, reason, created_at)
VALUES ('email', :address, :scope, :reason, :now)
ON CONFLICT (channel, address, scope) DO NOTHING

-- name: page
-- Newest first, down from the cursor (the last row shown) along suppression_created.
SELECT channel, address, scope, reason, created_at
FROM suppression
WHERE (created_at, channel, address, scope)
      < (CAST(:at AS timestamptz), :afterChannel, :afterAddress, :afterScope)
  AND (CAST(:channel AS text) IS NULL OR channel = CAST(:channel AS text))
ORDER BY created_at DESC, channel DESC, address DESC, scope DESC
LIMIT :limit
