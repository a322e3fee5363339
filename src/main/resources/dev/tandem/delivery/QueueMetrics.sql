-- name: snapshot
-- One branch per status, so each reads its own partial index.
SELECT 'queued' AS status, channel, count(*) AS total,
       count(*) FILTER (WHERE next_attempt_at <= :now) AS due,
       min(next_attempt_at) FILTER (WHERE next_attempt_at <= :now) AS oldest_due,
       0 AS expired
FROM delivery WHERE status = 'queued' GROUP BY channel
UNION ALL
SELECT 'held', channel, count(*), 0, NULL, 0
FROM delivery WHERE status = 'held' GROUP BY channel
UNION ALL
SELECT 'sending', channel, count(*), 0, NULL, count(*) FILTER (WHERE lease_until < :now)
FROM delivery WHERE status = 'sending' GROUP BY channel
