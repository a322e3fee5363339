-- name: insert
INSERT INTO change (contact_id, kind, data, at)
VALUES (:contactId, :kind, CAST(:data AS jsonb), :at)

-- name: after
-- Rows of transactions older than every running one are final: nothing can appear before them.
SELECT xid::text::bigint AS xid, id, contact_id, kind, data::text AS data, at
FROM change
WHERE (xid, id) > (CAST(:xid AS xid8), :id)
  AND xid < pg_snapshot_xmin(pg_current_snapshot())
ORDER BY xid, id
LIMIT :limit
