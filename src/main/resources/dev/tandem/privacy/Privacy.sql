-- name: family
-- The contact and every contact merged into it (their records are the same person's).
WITH RECURSIVE family(id) AS (
  SELECT CAST(:id AS uuid)
  UNION
  SELECT c.id FROM contact c JOIN family f ON c.merged_into = f.id
)
SELECT id FROM family

-- name: addresses
SELECT kind, value FROM contact_address WHERE contact_id = ANY(CAST(:ids AS uuid[]))
UNION
SELECT CASE channel WHEN 'sms' THEN 'phone' ELSE 'email' END, address FROM delivery
WHERE contact_id = ANY(CAST(:ids AS uuid[])) AND address <> 'erased'
UNION
SELECT 'phone', sender FROM inbound_sms WHERE contact_id = ANY(CAST(:ids AS uuid[]))

-- name: exportContact
SELECT row_to_json(c)::text FROM (
  SELECT id, external_id, name, time_zone, locale, created_at, erased_at,
         (SELECT coalesce(json_agg(json_build_object('kind', kind, 'value', value, 'since', created_at) ORDER BY kind, created_at), '[]')
            FROM contact_address WHERE contact_id = ANY(CAST(:ids AS uuid[]))) AS addresses,
         (SELECT coalesce(json_agg(m.id), '[]') FROM contact m
            WHERE m.id = ANY(CAST(:ids AS uuid[])) AND m.id <> :id) AS merged_records
  FROM contact WHERE id = :id
) c

-- name: exportMessages
SELECT coalesce(json_agg(m ORDER BY m.created_at), '[]')::text FROM (
  SELECT m.id, m.topic, m.content, m.created_at, m.template_key, m.template_version, m.locale,
         (SELECT coalesce(json_agg(json_build_object(
                   'url', l.url, 'clicks', l.clicks, 'firstClickAt', l.first_click_at)), '[]')
            FROM short_link l WHERE l.message_id = m.id) AS links,
         (SELECT coalesce(json_agg(json_build_object(
                   'id', d.id, 'channel', d.channel, 'address', d.address, 'status', d.status,
                   'attempts', d.attempts, 'lastError', d.last_error, 'segments', d.segments,
                   'cost', d.cost, 'currency', d.currency, 'updatedAt', d.updated_at)), '[]')
            FROM delivery d WHERE d.message_id = m.id) AS deliveries
  FROM message m WHERE m.contact_id = ANY(CAST(:ids AS uuid[]))
) m

-- name: exportInboundSms
SELECT coalesce(json_agg(s ORDER BY s.received_at), '[]')::text FROM (
  SELECT id, sender, recipient, text, received_at FROM inbound_sms
  WHERE contact_id = ANY(CAST(:ids AS uuid[]))
) s

-- name: exportInboundEmail
SELECT coalesce(json_agg(e ORDER BY e.received_at), '[]')::text FROM (
  SELECT id, kind, sender, subject, new_text, status, received_at FROM inbound_email
  WHERE contact_id = ANY(CAST(:ids AS uuid[]))
) e

-- name: exportConsents
SELECT coalesce(json_agg(e ORDER BY e.id), '[]')::text FROM (
  SELECT id, channel, topic, action, source, wording, evidence, at, recorded_at FROM consent_event
  WHERE contact_id = ANY(CAST(:ids AS uuid[]))
) e

-- name: exportTimeline
SELECT coalesce(json_agg(e ORDER BY e.at, e.id), '[]')::text FROM (
  SELECT id, at, type, channel, message_id, delivery_id, detail FROM event
  WHERE contact_id = ANY(CAST(:ids AS uuid[]))
) e

-- name: exportMerges
SELECT coalesce(json_agg(m ORDER BY m.at), '[]')::text FROM (
  SELECT survivor, merged, automatic, reason, at FROM contact_merge
  WHERE survivor = ANY(CAST(:ids AS uuid[])) OR merged = ANY(CAST(:ids AS uuid[]))
) m

-- name: exportFlags
SELECT coalesce(json_agg(f ORDER BY f.created_at), '[]')::text FROM (
  SELECT kind, channel, text, created_at, resolved_at FROM contact_flag
  WHERE contact_id = ANY(CAST(:ids AS uuid[]))
) f

-- name: exportWebhookDeliveries
-- Who else was told about the person (Art. 15(1)(c), the recipients): each event sent to a webhook
-- subscriber or a message's status callback, with the receiver's URL and how it went.
SELECT coalesce(json_agg(w ORDER BY w.created_at, w.id), '[]')::text FROM (
  -- the receiver's scheme and host: a path or query may hold the operator's own secret
  SELECT e.id, e.event_id, e.type,
         substring(coalesce(e.url, h.url) FROM '^[A-Za-z][A-Za-z0-9+.-]*://[^/?#]+') AS receiver,
         e.status, e.attempts,
         e.created_at, e.delivered_at
  FROM webhook_event e LEFT JOIN webhook h ON h.id = e.webhook_id
  WHERE e.contact_id = ANY(CAST(:ids AS uuid[]))
) w

-- name: exportSuppressions
SELECT coalesce(json_agg(s), '[]')::text FROM (
  SELECT channel, address, scope, reason, created_at FROM suppression
  WHERE address = ANY(CAST(:addresses AS text[]))
) s
