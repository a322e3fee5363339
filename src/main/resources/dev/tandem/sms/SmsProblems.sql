-- name: insert
INSERT INTO sms_problem (kind, source, raw, reason, received_at)
VALUES (:kind, :source, :raw, :reason, :receivedAt)

-- name: recent
-- Recorded problems, and receipts that matched no SMS long after they arrived (a receipt can come
-- a moment before its submit result is stored, so young unmatched ones are not problems yet).
SELECT kind, source, raw, reason, received_at FROM (
  SELECT kind, source, raw, reason, received_at FROM sms_problem
  UNION ALL
  SELECT 'receipt', 'smsc', raw,
         'no SMS sent from here has the message id in this receipt (key ' || receipt_key || ')',
         received_at
  FROM sms_receipt
  WHERE delivery_id IS NULL AND received_at < :unmatchedBefore
) problems
ORDER BY received_at DESC
LIMIT :limit
