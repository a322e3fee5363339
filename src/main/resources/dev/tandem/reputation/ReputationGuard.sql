-- name: emailRates
-- Per sending domain: the emails accepted since :since that were handed to the relay, and how many
-- of those same emails hard-bounced and were reported as spam (each counted once, however many
-- reports name it). The domain is that of the message's From (its last '@'), or of email.from.
WITH sent AS (
  SELECT lower(substring(coalesce(m.email_from, :defaultFrom) FROM '.*@([^>[:space:]]+)')) AS scope,
         count(*) AS sent
  FROM delivery d JOIN message m ON m.id = d.message_id
  WHERE d.channel = 'email' AND d.created_at >= :since AND d.provider_id IS NOT NULL
  GROUP BY 1
), reports AS (
  SELECT lower(substring(coalesce(m.email_from, :defaultFrom) FROM '.*@([^>[:space:]]+)')) AS scope,
         count(DISTINCT ie.delivery_id) FILTER (WHERE ie.kind = 'hard_bounce') AS bounces,
         count(DISTINCT ie.delivery_id) FILTER (WHERE ie.kind = 'complaint') AS complaints
  FROM inbound_email ie
  JOIN delivery d ON d.id = ie.delivery_id
  JOIN message m ON m.id = d.message_id
  WHERE ie.received_at >= :since AND ie.kind IN ('hard_bounce', 'complaint')
    AND ie.delivery_id IS NOT NULL AND d.created_at >= :since
  GROUP BY 1
)
SELECT coalesce(s.scope, r.scope) AS scope, coalesce(s.sent, 0) AS sent,
       coalesce(r.bounces, 0) AS bounces, coalesce(r.complaints, 0) AS complaints
FROM sent s FULL JOIN reports r ON r.scope = s.scope

-- name: smsRates
SELECT (SELECT count(*) FROM delivery
        WHERE channel = 'sms' AND created_at >= :since AND provider_id IS NOT NULL) AS sent,
       (SELECT count(DISTINCT contact_id) FROM consent_event
        WHERE action = 'revoked' AND source = 'sms-keyword' AND recorded_at >= :since) AS opt_outs

-- name: open
SELECT id, channel, scope, reason, rates::text AS rates, paused_at FROM reputation_pause
WHERE resumed_at IS NULL ORDER BY id

-- name: lastResumes
SELECT channel, scope, max(resumed_at) AS resumed_at FROM reputation_pause
WHERE resumed_at IS NOT NULL GROUP BY channel, scope

-- name: pause
-- Not when someone resumed it after the rates' start: those rates were read before the resume.
INSERT INTO reputation_pause (channel, scope, reason, rates, paused_at)
SELECT :channel, :scope, :reason, CAST(:rates AS jsonb), :now
WHERE NOT EXISTS (SELECT 1 FROM reputation_pause
                  WHERE channel = :channel AND scope = :scope AND resumed_at > :since)
ON CONFLICT (channel, scope) WHERE resumed_at IS NULL DO NOTHING
RETURNING id

-- name: resume
UPDATE reputation_pause SET resumed_at = :now, resumed_by = :by
WHERE channel = :channel AND scope = :scope AND resumed_at IS NULL
RETURNING id
