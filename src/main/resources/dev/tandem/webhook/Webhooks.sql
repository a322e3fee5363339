-- name: insert
INSERT INTO webhook (id, url, events, secret, description, created_at, updated_at)
VALUES (:id, :url, CAST(:events AS text[]), :secret, :description, :now, :now)

-- name: count
SELECT count(*) FROM webhook

-- name: all
SELECT id, url, events, description, created_at, updated_at, failing_since, disabled_at,
       disabled_reason
FROM webhook
ORDER BY id DESC

-- name: byId
SELECT id, url, events, description, created_at, updated_at, failing_since, disabled_at,
       disabled_reason
FROM webhook
WHERE id = :id

-- name: edit
-- A null parameter leaves its column as it is. Resuming clears the failing clock.
UPDATE webhook
SET url = coalesce(CAST(:url AS text), url),
    events = coalesce(CAST(:events AS text[]), events),
    secret = coalesce(CAST(:secret AS text), secret),
    description = coalesce(CAST(:description AS text), description),
    disabled_at = CASE WHEN CAST(:enabled AS boolean) IS NULL THEN disabled_at
                       WHEN CAST(:enabled AS boolean) THEN NULL
                       ELSE coalesce(disabled_at, :now) END,
    disabled_reason = CASE WHEN CAST(:enabled AS boolean) IS NULL THEN disabled_reason
                           WHEN CAST(:enabled AS boolean) THEN NULL
                           ELSE coalesce(disabled_reason, 'paused through the API') END,
    failing_since = CASE WHEN CAST(:enabled AS boolean) THEN NULL ELSE failing_since END,
    updated_at = :now
WHERE id = :id

-- name: delete
WITH log AS (DELETE FROM webhook_event WHERE webhook_id = :id)
DELETE FROM webhook WHERE id = :id

-- name: active
SELECT id, events FROM webhook WHERE disabled_at IS NULL

-- name: target
SELECT id, url, secret FROM webhook WHERE id = :id AND disabled_at IS NULL

-- name: enqueue
-- One row per (event, subscription), numbered in the order given: per contact, the order the
-- changes happened in.
INSERT INTO webhook_event (event_id, webhook_id, type, contact_id, payload, status,
                           next_attempt_at, created_at)
SELECT v.event_id, v.webhook_id, v.type, v.contact_id, CAST(v.payload AS jsonb), 'pending', :now,
       :now
FROM unnest(CAST(:eventIds AS uuid[]), CAST(:webhookIds AS uuid[]), CAST(:types AS text[]),
            CAST(:contactIds AS uuid[]), CAST(:payloads AS text[]))
     WITH ORDINALITY AS v(event_id, webhook_id, type, contact_id, payload, n)
-- a subscription deleted since this node last read them gets nothing
WHERE EXISTS (SELECT 1 FROM webhook w WHERE w.id = v.webhook_id)
ORDER BY v.n

-- name: anyCallback
-- Whether any message names a status callback (the partial index answers it at once).
SELECT EXISTS (SELECT 1 FROM message WHERE status_callback IS NOT NULL)

-- name: enqueueCallbacks
-- The delivery events of messages that name a status callback, one row each, with the message's
-- URL and the message as their webhook_id (its implicit subscription: in order per message).
INSERT INTO webhook_event (event_id, webhook_id, type, contact_id, payload, status,
                           next_attempt_at, created_at, url)
SELECT v.event_id, m.id, v.type, v.contact_id, CAST(v.payload AS jsonb), 'pending', :now, :now,
       m.status_callback
FROM unnest(CAST(:eventIds AS uuid[]), CAST(:messageIds AS uuid[]), CAST(:types AS text[]),
            CAST(:contactIds AS uuid[]), CAST(:payloads AS text[]))
     WITH ORDINALITY AS v(event_id, message_id, type, contact_id, payload, n)
JOIN message m ON m.id = v.message_id AND m.status_callback IS NOT NULL
ORDER BY v.n

-- name: deliveries
SELECT id, event_id, type, contact_id, status, attempts, created_at, next_attempt_at,
       last_attempt_at, last_status, last_response, delivered_at, payload::text AS payload
FROM webhook_event
WHERE webhook_id = :webhookId AND id < :after
  AND (CAST(:status AS text) IS NULL OR status = CAST(:status AS text))
ORDER BY id DESC
LIMIT :limit

-- name: replay
-- Sent again as soon as the sender runs; its attempts start again (and its 24 hours).
UPDATE webhook_event
SET status = 'pending', next_attempt_at = :now, attempts = 0, created_at = :now,
    delivered_at = NULL
WHERE webhook_id = :webhookId AND id = :id
RETURNING id, event_id, type, contact_id, status, attempts, created_at, next_attempt_at,
          last_attempt_at, last_status, last_response, delivered_at, payload::text AS payload

-- name: eraseDeliveries
DELETE FROM webhook_event WHERE contact_id = ANY(CAST(:ids AS uuid[]))
