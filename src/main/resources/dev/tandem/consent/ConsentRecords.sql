-- name: moveConsentEvents
UPDATE consent_event SET contact_id = :into WHERE contact_id = :from

-- name: mergeConsentState
-- The two states combine as the ledger orders events: the newer wins, a revocation wins a tie.
INSERT INTO consent_state AS s (contact_id, channel, topic, status, event_id, at)
SELECT :into, channel, topic, status, event_id, at FROM consent_state WHERE contact_id = :from
ON CONFLICT (contact_id, channel, topic) DO UPDATE
SET status = EXCLUDED.status, event_id = EXCLUDED.event_id, at = EXCLUDED.at
WHERE s.at < EXCLUDED.at OR (s.at = EXCLUDED.at AND (EXCLUDED.status = 'revoked' OR s.status = 'granted'))

-- name: dropConsentState
DELETE FROM consent_state WHERE contact_id = :from

-- name: movePending
UPDATE consent_pending SET contact_id = :into WHERE contact_id = :from

-- name: moveFlags
UPDATE contact_flag SET contact_id = :into WHERE contact_id = :from

-- name: suppressErased
INSERT INTO suppression (channel, address, scope, reason, created_at)
SELECT * FROM unnest(CAST(:channels AS text[]), CAST(:hashes AS text[])) AS v(channel, hash)
CROSS JOIN (VALUES ('all', 'erased at the person''s request', CAST(:now AS timestamptz))) AS x(scope, reason, at)
ON CONFLICT (channel, address, scope) DO NOTHING

-- name: dropSuppressions
DELETE FROM suppression WHERE address = ANY(CAST(:addresses AS text[]))

-- name: eraseConsentEvidence
-- The ledger keeps what was agreed and withdrawn, when and how; not who, where from, or with which
-- device.
UPDATE consent_event SET evidence = '{"erased": true}'
WHERE contact_id = ANY(CAST(:ids AS uuid[]))

-- name: deletePending
DELETE FROM consent_pending WHERE contact_id = ANY(CAST(:ids AS uuid[]))

-- name: deleteFlags
DELETE FROM contact_flag WHERE contact_id = ANY(CAST(:ids AS uuid[]))
