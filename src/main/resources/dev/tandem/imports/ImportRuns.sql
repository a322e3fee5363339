-- name: insert
INSERT INTO import_run (id, name, dry_run, status, report, error, started_at, finished_at)
VALUES (:id, :name, :dryRun, :status, CAST(:report AS jsonb), :error, :startedAt, :finishedAt)

-- name: page
SELECT id, name, dry_run, status, report::text AS report, error, started_at, finished_at
FROM import_run
WHERE id < :after
ORDER BY id DESC
LIMIT :limit

-- name: byId
SELECT id, name, dry_run, status, report::text AS report, error, started_at, finished_at
FROM import_run
WHERE id = :id

-- name: eraseAddress
-- The report quotes rejected and conflicting rows: the address goes, the line and the count stay.
UPDATE import_run
SET report = CAST(replace(CAST(report AS text), :address, '[erased]') AS jsonb)
WHERE strpos(CAST(report AS text), :address) > 0
