-- Claims, leases, their release and extension are built by dev.tandem.store.Leases from the spec
-- in Outbox (decision 0021). The result writes below check the claim token the same way.

-- name: claimedDetails
-- What a node needs to send the deliveries it has just claimed, in the order they were claimed.
SELECT d.id, d.message_id, d.contact_id, d.channel, d.address, d.attempts, m.topic,
       m.content::text AS content,
       d.segments, d.cost, d.currency, d.claim_token, d.variant, d.follows,
       m.sms_from, m.email_from, m.email_reply_to
FROM unnest(CAST(:ids AS uuid[])) WITH ORDINALITY AS c(id, n)
JOIN delivery d ON d.id = c.id
JOIN message m ON m.id = d.message_id
ORDER BY c.n

-- name: markSent
-- Every sent delivery of a round in one statement; the rows whose claim still holds come back.
UPDATE delivery d
SET status = 'sent', provider_id = v.provider_id, lease_until = NULL, claim_token = NULL,
    last_error = NULL, updated_at = :now
FROM unnest(CAST(:ids AS uuid[]), CAST(:tokens AS uuid[]), CAST(:providerIds AS text[]))
     AS v(id, token, provider_id)
WHERE d.id = v.id AND d.status = 'sending' AND d.claim_token = v.token
RETURNING d.id

-- name: insertPart
INSERT INTO sms_part (delivery_id, seq, provider_id, receipt_key)
SELECT * FROM unnest(CAST(:deliveryIds AS uuid[]), CAST(:seqs AS integer[]),
                     CAST(:providerIds AS text[]), CAST(:receiptKeys AS text[]))
ON CONFLICT (delivery_id, seq) DO UPDATE
SET provider_id = EXCLUDED.provider_id, receipt_key = EXCLUDED.receipt_key, status = 'sent', stat = NULL

-- name: markSuppressed
UPDATE delivery
SET status = 'suppressed', lease_until = NULL, claim_token = NULL, last_error = :error,
    updated_at = :now
WHERE id = :id AND status = 'sending' AND claim_token = :token

-- name: requeue
-- A throttled attempt is refunded: the SMSC's load is not the message's failure.
UPDATE delivery
SET status = 'queued', next_attempt_at = :nextAttemptAt, lease_until = NULL, claim_token = NULL,
    last_error = :error, attempts = attempts - :refund, updated_at = :now
WHERE id = :id AND status = 'sending' AND claim_token = :token

-- name: markFailed
UPDATE delivery
SET status = 'failed', lease_until = NULL, claim_token = NULL, last_error = :error,
    updated_at = :now
WHERE id = :id AND status = 'sending' AND claim_token = :token

-- name: lockReceiptKeys
-- Receipt and submit result for the same id serialize on this lock, so a receipt that arrives
-- before its submit_sm_resp is stored is matched by whichever transaction commits second.
SELECT count(pg_advisory_xact_lock(hashtext(k))) FROM unnest(CAST(:keys AS text[])) AS k

-- name: insertReceipts
-- A group of receipts as received, in one statement: this commit is what makes them durable, and
-- only then does the SMSC get its deliver_sm_resp. Matching them to parts comes after (applyPlan).
INSERT INTO sms_receipt (receipt_key, stat, err, raw, received_at)
SELECT k, s, e, r, :receivedAt
FROM unnest(CAST(:keys AS text[]), CAST(:stats AS text[]), CAST(:errs AS text[]),
            CAST(:raws AS text[])) AS v(k, s, e, r)

-- name: pendingReceiptKeys
-- Receipts stored but not matched to a part: applied at start (a node may have stopped between
-- storing and applying them) and whenever the applier had to give up on a group.
SELECT DISTINCT receipt_key FROM sms_receipt
WHERE delivery_id IS NULL AND received_at >= :since
LIMIT :limit

-- name: strandedReceiptKeys
-- Receipts stored a while ago and still unmatched although a part with their key waits for one:
-- the node that stored them stopped before applying them, and it may never start again. Any node
-- applies them (under the key's lock, and matching touches only unmatched rows).
SELECT DISTINCT r.receipt_key FROM sms_receipt r
WHERE r.delivery_id IS NULL AND r.received_at >= :since AND r.received_at < :before
  AND EXISTS (SELECT 1 FROM sms_part p WHERE p.receipt_key = r.receipt_key AND p.status = 'sent')
LIMIT :limit

-- name: applyPlan
-- The receipt statements take arrays; with a custom plan per call PostgreSQL plans each of them
-- again on every execution (their estimate depends on the array), which was most of their cost.
-- Their generic plans are index lookups driven by the arrays, right whatever the array holds.
SET LOCAL plan_cache_mode = force_generic_plan

-- name: matchPendingReceipts
-- Driven by the receipts in hand, one index lookup each (LATERAL … LIMIT 1), so the cost does not
-- depend on how many parts were ever sent or on whether the planner has statistics yet. Ids are
-- unique per SMSC only for a while (many SMSCs restart their counter), so a receipt completes only
-- a part that is not final, of an SMS submitted before the receipt came (a minute's leeway for
-- clocks of different nodes); else it waits for the submit_sm_resp of the part it belongs to.
-- A receipt the SMSC sends again (same key, same text as one already matched) goes where the first
-- went, and changes nothing there.
WITH matched AS (
  SELECT r.id AS receipt_id, part.delivery_id, part.seq
  FROM sms_receipt r
  CROSS JOIN LATERAL (
    (SELECT p.delivery_id, p.seq
     FROM sms_part p JOIN delivery d ON d.id = p.delivery_id
     WHERE p.receipt_key = r.receipt_key AND p.status = 'sent' AND d.status = 'sent'
       AND (d.claimed_at IS NULL OR d.claimed_at <= r.received_at + interval '1 minute')
     ORDER BY d.claimed_at DESC NULLS LAST, d.created_at DESC
     LIMIT 1)
    UNION ALL
    (SELECT earlier.delivery_id, earlier.part_seq
     FROM sms_receipt earlier
     WHERE earlier.receipt_key = r.receipt_key AND earlier.delivery_id IS NOT NULL
       AND earlier.raw = r.raw
     LIMIT 1)
    LIMIT 1
  ) part
  WHERE r.delivery_id IS NULL AND r.receipt_key = ANY(CAST(:keys AS text[]))
)
UPDATE sms_receipt r SET delivery_id = m.delivery_id, part_seq = m.seq
FROM matched m
WHERE r.id = m.receipt_id AND r.delivery_id IS NULL
RETURNING r.id, r.delivery_id, r.part_seq, r.stat, r.err

-- name: lockDeliveries
-- Receipts for different parts of one SMS can be applied concurrently; each transaction must see
-- the others' part states before deciding the delivery, so they serialize on the delivery rows
-- (taken in id order, so two transactions never wait on each other in a cycle).
SELECT id FROM delivery WHERE id = ANY(CAST(:ids AS uuid[])) ORDER BY id FOR UPDATE

-- name: markParts
UPDATE sms_part p SET status = v.status, stat = v.stat
FROM unnest(CAST(:deliveryIds AS uuid[]), CAST(:seqs AS integer[]), CAST(:statuses AS text[]),
            CAST(:stats AS text[])) AS v(delivery_id, seq, status, stat)
WHERE p.delivery_id = v.delivery_id AND p.seq = v.seq AND p.status = 'sent'

-- name: partStates
-- the topic is for the per-topic counters of what was delivered and what failed
SELECT d.id, d.message_id, d.contact_id, d.channel, m.topic, parts.total, parts.delivered,
       parts.failed
FROM unnest(CAST(:ids AS uuid[])) AS v(id)
JOIN delivery d ON d.id = v.id
JOIN message m ON m.id = d.message_id
CROSS JOIN LATERAL (
  SELECT count(*) AS total,
         count(*) FILTER (WHERE p.status = 'delivered') AS delivered,
         count(*) FILTER (WHERE p.status = 'failed') AS failed
  FROM sms_part p
  WHERE p.delivery_id = d.id
) parts

-- name: finishDeliveries
UPDATE delivery d SET status = v.status, last_error = v.error, updated_at = :now
FROM unnest(CAST(:ids AS uuid[]), CAST(:statuses AS text[]), CAST(:errors AS text[]))
     AS v(id, status, error)
WHERE d.id = v.id AND d.status = 'sent'
RETURNING d.id

-- name: releaseHeldBack
-- Marketing the reputation guard held back goes at once when someone resumes: the deliveries whose
-- last deferral was the pause (a delivery still paused elsewhere is held again, once).
UPDATE delivery SET next_attempt_at = :now, updated_at = :now
WHERE status = 'queued' AND next_attempt_at > :now
  AND last_error LIKE 'deferred: marketing on % is paused %'
