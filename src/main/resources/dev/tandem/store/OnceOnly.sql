-- name: firstTime
-- A provider's event is taken once: the same id again inserts nothing.
INSERT INTO provider_event (provider, event_id, received_at)
VALUES (:provider, :eventId, :receivedAt)
ON CONFLICT DO NOTHING

-- name: forget
DELETE FROM provider_event WHERE provider = :provider AND event_id = :eventId

-- name: forgetBefore
DELETE FROM provider_event WHERE received_at < :before
