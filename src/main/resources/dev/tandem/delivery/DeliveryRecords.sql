-- name: bounced
-- A hard bounce (or the last of the soft ones) reported by inbound mail.
UPDATE delivery SET status = 'failed', last_error = :error, updated_at = :now
WHERE id = :id AND status IN ('sent', 'delivered', 'queued', 'sending')

-- name: sendAgain
UPDATE delivery SET status = 'queued', next_attempt_at = :at, last_error = :error, updated_at = :now
WHERE id = :id AND status IN ('sent', 'delivered')

-- name: moveMessages
UPDATE message SET contact_id = :into WHERE contact_id = :from

-- name: moveDeliveries
UPDATE delivery SET contact_id = :into WHERE contact_id = :from

-- name: eraseMessages
UPDATE message SET content = '{"erased": true}', idempotency_key = NULL
WHERE contact_id = ANY(CAST(:ids AS uuid[]))

-- name: eraseReceipts
UPDATE sms_receipt SET raw = 'erased' WHERE delivery_id IN (
  SELECT id FROM delivery WHERE contact_id = ANY(CAST(:ids AS uuid[])))

-- name: cancelWaiting
-- Nothing more goes to an erased person: what waits (queued, deferred, held steps) is cancelled.
UPDATE delivery SET status = 'cancelled', lease_until = NULL
WHERE contact_id = ANY(CAST(:ids AS uuid[])) AND status IN ('queued', 'held')

-- name: eraseDeliveries
UPDATE delivery SET address = 'erased', last_error = NULL
WHERE contact_id = ANY(CAST(:ids AS uuid[]))
