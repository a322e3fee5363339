-- name: insertMessage
INSERT INTO message (id, contact_id, idempotency_key, request_hash, topic, content, created_at,
                     plan, topic_class, dedupe_key, template_key, template_version, locale,
                     sms_from, email_from, email_reply_to, status_callback)
VALUES (:id, :contactId, :idempotencyKey, :requestHash, :topic, CAST(:content AS jsonb), :createdAt,
        CAST(:plan AS jsonb), :topicClass, :dedupeKey, :templateKey,
        CAST(:templateVersion AS integer), :locale, :smsFrom, :emailFrom, :emailReplyTo,
        :statusCallback)
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
       locale, sms_from, email_from, email_reply_to
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

-- name: deliveriesOfMessages
SELECT message_id, id, channel, address, status, attempts, provider_id, last_error, segments,
       encoding, cost, currency, updated_at, step, follows, triggers,
       extract(epoch FROM wait)::bigint AS wait_seconds,
       CASE WHEN status IN ('queued', 'held') AND next_attempt_at <> 'infinity'
            THEN next_attempt_at END AS due_at,
       variant
FROM delivery
WHERE message_id = ANY(CAST(:ids AS uuid[]))
ORDER BY message_id, created_at, id

-- name: page
-- Newest first by id (UUIDv7: creation order to the millisecond), walking the primary key down
-- from the cursor; each filter is skipped when its parameter is null.
SELECT m.id, m.contact_id, m.topic, m.created_at, m.plan::text AS plan, m.template_key,
       m.template_version, m.locale, m.sms_from, m.email_from, m.email_reply_to
FROM message m
WHERE m.id < :after
  AND (CAST(:contactId AS uuid) IS NULL OR m.contact_id = CAST(:contactId AS uuid))
  AND (CAST(:topic AS text) IS NULL OR m.topic = CAST(:topic AS text))
  AND (CAST(:since AS timestamptz) IS NULL OR m.created_at >= CAST(:since AS timestamptz))
  AND (CAST(:until AS timestamptz) IS NULL OR m.created_at < CAST(:until AS timestamptz))
  AND (CAST(:channel AS text) IS NULL AND CAST(:status AS text) IS NULL
       OR EXISTS (SELECT 1 FROM delivery d
                  WHERE d.message_id = m.id
                    AND (CAST(:channel AS text) IS NULL OR d.channel = CAST(:channel AS text))
                    AND (CAST(:status AS text) IS NULL OR d.status = CAST(:status AS text))))
ORDER BY m.id DESC
LIMIT :limit

-- name: pageOfContact
-- The same for one contact, from its index.
SELECT m.id, m.contact_id, m.topic, m.created_at, m.plan::text AS plan, m.template_key,
       m.template_version, m.locale, m.sms_from, m.email_from, m.email_reply_to
FROM message m
WHERE m.contact_id = CAST(:contactId AS uuid) AND m.id < :after
  AND (CAST(:topic AS text) IS NULL OR m.topic = CAST(:topic AS text))
  AND (CAST(:since AS timestamptz) IS NULL OR m.created_at >= CAST(:since AS timestamptz))
  AND (CAST(:until AS timestamptz) IS NULL OR m.created_at < CAST(:until AS timestamptz))
  AND (CAST(:channel AS text) IS NULL AND CAST(:status AS text) IS NULL
       OR EXISTS (SELECT 1 FROM delivery d
                  WHERE d.message_id = m.id
                    AND (CAST(:channel AS text) IS NULL OR d.channel = CAST(:channel AS text))
                    AND (CAST(:status AS text) IS NULL OR d.status = CAST(:status AS text))))
ORDER BY m.id DESC
LIMIT :limit
