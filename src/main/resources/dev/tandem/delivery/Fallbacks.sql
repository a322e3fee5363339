-- name: heldFollowing
-- The held steps that follow these deliveries, called in the transaction that just changed them
-- (so their rows are locked by it already); waits for a held row another transaction is deciding.
SELECT h.id, h.message_id, h.contact_id, h.channel, h.step, h.triggers,
       extract(epoch FROM h.wait)::bigint AS wait_seconds,
       CASE WHEN h.next_attempt_at = 'infinity' THEN NULL ELSE h.next_attempt_at END AS due,
       p.channel AS followed_channel, p.status AS followed_status,
       EXISTS (SELECT 1 FROM event e WHERE e.contact_id = p.contact_id AND e.delivery_id = p.id
               AND e.type = 'email.opened') AS opened,
       EXISTS (SELECT 1 FROM event e WHERE e.contact_id = p.contact_id AND e.delivery_id = p.id
               AND e.type = 'email.clicked') AS clicked
FROM delivery h JOIN delivery p ON p.id = h.follows
WHERE h.status = 'held' AND h.follows = ANY(CAST(:ids AS uuid[]))
ORDER BY h.id
FOR UPDATE OF h

-- name: heldLocked
-- The held steps whose timer ran out, with what they follow, for ids this transaction has just
-- locked (both rows, busy ones skipped: dev.tandem.store.DueRows, decision 0021): a receipt being
-- written for the followed delivery decides its fallback itself, and two nodes never decide the
-- same step.
SELECT h.id, h.message_id, h.contact_id, h.channel, h.step, h.triggers,
       extract(epoch FROM h.wait)::bigint AS wait_seconds,
       h.next_attempt_at AS due,
       p.channel AS followed_channel, p.status AS followed_status,
       EXISTS (SELECT 1 FROM event e WHERE e.contact_id = p.contact_id AND e.delivery_id = p.id
               AND e.type = 'email.opened') AS opened,
       EXISTS (SELECT 1 FROM event e WHERE e.contact_id = p.contact_id AND e.delivery_id = p.id
               AND e.type = 'email.clicked') AS clicked
FROM delivery h JOIN delivery p ON p.id = h.follows
WHERE h.id = ANY(CAST(:ids AS uuid[]))
ORDER BY h.next_attempt_at

-- name: release
UPDATE delivery
SET status = 'queued', next_attempt_at = :now, variant = :variant, last_error = NULL,
    updated_at = :now
WHERE id = :id AND status = 'held'

-- name: cancel
UPDATE delivery SET status = 'cancelled', last_error = :reason, updated_at = :now
WHERE id = :id AND status = 'held'

-- name: arm
UPDATE delivery SET next_attempt_at = :due, updated_at = :now
WHERE id = :id AND status = 'held'
