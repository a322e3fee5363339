-- name: insertMessage
INSERT INTO message (id, contact_id, idempotency_key, request_hash, topic, content, created_at)
VALUES (:id, :contactId, :idempotencyKey, :requestHash, :topic, CAST(:content AS jsonb), :createdAt)
ON CONFLICT (idempotency_key) DO NOTHING

-- name: messageByIdempotencyKey
SELECT id, request_hash FROM message WHERE idempotency_key = :idempotencyKey

-- name: insertDelivery
INSERT INTO delivery (id, message_id, contact_id, channel, address, status, attempts,
                      next_attempt_at, created_at, updated_at, segments, encoding, cost, currency,
                      last_error)
VALUES (:id, :messageId, :contactId, :channel, :address, :status, 0, :now, :now, :now,
        CAST(:segments AS integer), :encoding, CAST(:cost AS numeric), :currency, :lastError)

-- name: messageById
SELECT id, contact_id, topic, created_at, plan::text AS plan FROM message WHERE id = :id

-- name: deliveriesOfMessage
SELECT id, channel, address, status, attempts, provider_id, last_error, segments, encoding,
       cost, currency, updated_at, step, follows, triggers,
       extract(epoch FROM wait)::bigint AS wait_seconds,
       CASE WHEN status IN ('queued', 'held') AND next_attempt_at <> 'infinity'
            THEN next_attempt_at END AS due_at,
       variant
FROM delivery
WHERE message_id = :messageId
ORDER BY created_at, id
