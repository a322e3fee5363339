-- name: insertEvents
INSERT INTO consent_event (contact_id, channel, topic, action, source, wording, evidence, at,
                           recorded_at, dedupe_key)
SELECT v.contact_id, v.channel, v.topic, v.action, v.source, v.wording, CAST(v.evidence AS jsonb),
       CAST(v.at AS timestamptz), :now, v.dedupe_key
FROM unnest(CAST(:contactIds AS uuid[]), CAST(:channels AS text[]), CAST(:topics AS text[]),
            CAST(:actions AS text[]), CAST(:sources AS text[]), CAST(:wordings AS text[]),
            CAST(:evidences AS text[]), CAST(:ats AS text[]), CAST(:keys AS text[]))
     AS v(contact_id, channel, topic, action, source, wording, evidence, at, dedupe_key)
ON CONFLICT (dedupe_key) DO NOTHING
RETURNING id, contact_id, channel, topic, action, source, at

-- name: upsertState
-- The newer event wins; at the same instant a revocation beats a grant (and the later of two equal
-- ones wins). rebuildState orders the same way.
INSERT INTO consent_state AS s (contact_id, channel, topic, status, event_id, at)
SELECT * FROM unnest(CAST(:contactIds AS uuid[]), CAST(:channels AS text[]), CAST(:topics AS text[]),
                     CAST(:statuses AS text[]), CAST(:eventIds AS bigint[]),
                     CAST(CAST(:ats AS text[]) AS timestamptz[]))
ON CONFLICT (contact_id, channel, topic) DO UPDATE
SET status = EXCLUDED.status, event_id = EXCLUDED.event_id, at = EXCLUDED.at
WHERE s.at < EXCLUDED.at OR (s.at = EXCLUDED.at AND (EXCLUDED.status = 'revoked' OR s.status = 'granted'))
RETURNING contact_id, channel, topic, status, event_id, at

-- name: statesOf
SELECT s.contact_id, s.channel, s.topic, s.status, s.at, s.event_id, e.source
FROM consent_state s JOIN consent_event e ON e.id = s.event_id
WHERE s.contact_id = ANY(CAST(:contactIds AS uuid[]))

-- name: currentOf
SELECT s.channel, s.topic, s.status, s.at, e.source
FROM consent_state s JOIN consent_event e ON e.id = s.event_id
WHERE s.contact_id = :contactId
ORDER BY s.channel, s.topic

-- name: eventsOf
SELECT id, channel, topic, action, source, wording, evidence::text AS evidence, at, recorded_at
FROM consent_event
WHERE contact_id = :contactId
ORDER BY id

-- name: clearState
DELETE FROM consent_state

-- name: rebuildState
INSERT INTO consent_state (contact_id, channel, topic, status, event_id, at)
SELECT DISTINCT ON (contact_id, channel, topic) contact_id, channel, topic, action, id, at
FROM consent_event
ORDER BY contact_id, channel, topic, at DESC, (action = 'revoked') DESC, id DESC
