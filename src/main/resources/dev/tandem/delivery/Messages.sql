-- name: insertMessage
INSERT INTO message (id, contact_id, idempotency_key, request_hash, topic, content, created_at,
                     plan, topic_class, dedupe_key, template_key, template_version, locale)
VALUES (:id, :contactId, :idempotencyKey, :requestHash, :topic, CAST(:content AS jsonb), :createdAt,
        CAST(:plan AS jsonb), :topicClass, :dedupeKey, :templateKey,
        CAST(:templateVersion AS integer), :locale)
ON CONFLICT (idempotency_key) DO NOTHING

-- name: messageByIdempotencyKey
SELECT id, request_hash FROM message WHERE idempotency_key = :idempotencyKey

-- name: insertDelivery
-- A held step waits with next_attempt_at 'infinity' until what it follows arms or releases it.
INSERT INTO delivery (id, message_id, contact_id, channel, address, status, attempts,
                      next_attempt_at, created_at, updated_at, segments, encoding, cost, currency,
                      last_error, step, follows, triggers, wait, country)
VALUES (:id, :messageId, :contactId, :channel, :address, :status, 0,
        COALESCE(CAST(:due AS timestamptz), 'infinity'), :now, :now,
        CAST(:segments AS integer), :encoding, CAST(:cost AS numeric), :currency, :lastError,
        :step, CAST(:follows AS uuid), CAST(:triggers AS text[]),
        CAST(:waitSeconds AS bigint) * interval '1 second', :country)

-- name: lockContactSends
-- Serializes accepting for one person where caps or a dedupe window count their recent sends, so
-- two nodes accepting at the same moment never both see room under a cap.
SELECT pg_advisory_xact_lock(:key)

-- name: recentSends
-- What caps and the dedupe window count: the person's deliveries that went or may still go.
SELECT d.message_id, d.created_at, d.channel, m.topic_class, m.topic, m.dedupe_key
FROM delivery d JOIN message m ON m.id = d.message_id
WHERE d.contact_id = :contactId AND d.created_at > :since
  AND d.status NOT IN ('suppressed', 'cancelled') AND m.topic IS NOT NULL
ORDER BY d.created_at DESC
LIMIT 1000

-- name: messageById
SELECT id, contact_id, topic, created_at, plan::text AS plan, template_key, template_version,
       locale
FROM message WHERE id = :id

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
