-- name: backlog
-- due deliveries per channel: how many, and since when the oldest is due
SELECT channel, count(*) AS due, min(next_attempt_at) AS oldest_due
FROM delivery
WHERE status = 'queued' AND next_attempt_at <= :now
GROUP BY channel
ORDER BY channel

-- name: expiredClaims
-- claims whose lease ran out: the node that claimed them stopped without handing them back
SELECT channel, count(*) AS stuck, min(lease_until) AS oldest_expiry
FROM delivery
WHERE status = 'sending' AND lease_until < :now
GROUP BY channel
ORDER BY channel
