-- name: claim
-- The due deliveries of enabled subscriptions and of status callbacks (a row with its own url,
-- whose webhook_id is its message), only the oldest pending one per subscription and contact (a
-- contact's events arrive in order), leased by pushing their next attempt past the send; another
-- node skips what is locked and, meanwhile, what is leased.
UPDATE webhook_event e
SET next_attempt_at = :leaseUntil
FROM (
  SELECT c.id
  FROM webhook_event c
  LEFT JOIN webhook w ON w.id = c.webhook_id
  WHERE c.status = 'pending' AND c.next_attempt_at <= :now
    AND (c.url IS NOT NULL OR (w.id IS NOT NULL AND w.disabled_at IS NULL))
    AND NOT EXISTS (
      SELECT 1 FROM webhook_event p
      WHERE p.status = 'pending' AND p.webhook_id = c.webhook_id AND p.contact_id = c.contact_id
        AND p.id < c.id)
  ORDER BY c.next_attempt_at, c.id
  LIMIT :limit
  FOR UPDATE OF c SKIP LOCKED
) due
WHERE e.id = due.id
RETURNING e.id, e.event_id, e.webhook_id, e.type, e.payload::text AS payload, e.attempts,
          e.created_at, e.url

-- name: delivered
-- A round's successes in one statement.
UPDATE webhook_event e
SET status = 'delivered', attempts = e.attempts + 1, last_attempt_at = :now,
    last_status = v.status, last_response = v.response, delivered_at = :now
FROM unnest(CAST(:ids AS bigint[]), CAST(:statuses AS integer[]), CAST(:responses AS text[]))
     AS v(id, status, response)
WHERE e.id = v.id

-- name: succeeding
UPDATE webhook SET failing_since = NULL
WHERE id = ANY(CAST(:webhookIds AS uuid[])) AND failing_since IS NOT NULL

-- name: failed
UPDATE webhook_event
SET attempts = attempts + 1, last_attempt_at = :now, last_status = :status,
    last_response = :response,
    status = CASE WHEN :givenUp THEN 'failed' ELSE 'pending' END,
    next_attempt_at = :next
WHERE id = :id

-- name: failing
-- The failing clock starts at the first failure after a success; a subscription failing since
-- before the cutoff is disabled. Returns the reason when this call disabled it.
UPDATE webhook
SET failing_since = coalesce(failing_since, :now),
    disabled_at = CASE WHEN disabled_at IS NULL AND coalesce(failing_since, :now) <= :cutoff
                       THEN :now ELSE disabled_at END,
    disabled_reason = CASE WHEN disabled_at IS NULL AND coalesce(failing_since, :now) <= :cutoff
                           THEN :reason ELSE disabled_reason END
WHERE id = :webhookId
RETURNING CASE WHEN disabled_at = :now THEN disabled_reason END AS disabled
