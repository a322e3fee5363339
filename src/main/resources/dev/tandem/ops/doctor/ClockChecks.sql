-- name: databaseNow
SELECT clock_timestamp()
