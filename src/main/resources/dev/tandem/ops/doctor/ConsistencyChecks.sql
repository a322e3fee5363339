-- Live contacts: neither merged into another nor erased.

-- name: contactsWithoutAddress
SELECT c.id, count(*) OVER () AS total
FROM contact c
WHERE c.merged_into IS NULL AND c.erased_at IS NULL
  AND NOT EXISTS (SELECT 1 FROM contact_address a WHERE a.contact_id = c.id)
ORDER BY c.created_at
LIMIT :limit

-- name: consentWithoutAddress
-- granted consent on a channel for which the contact has no address any more
SELECT s.contact_id, s.channel, s.topic, count(*) OVER () AS total
FROM consent_state s
JOIN contact c ON c.id = s.contact_id
WHERE s.status = 'granted' AND c.merged_into IS NULL AND c.erased_at IS NULL
  AND NOT EXISTS (
    SELECT 1 FROM contact_address a
    WHERE a.contact_id = s.contact_id
      AND a.kind = CASE s.channel WHEN 'sms' THEN 'phone' ELSE 'email' END)
ORDER BY s.contact_id, s.channel, s.topic
LIMIT :limit

-- name: conflictingIdentities
-- one phone or email held by two live contacts once spelling is set aside (case, spaces,
-- punctuation): rows written before normalization, or by hand
SELECT a.kind, array_agg(DISTINCT a.contact_id::text) AS contacts
FROM contact_address a
JOIN contact c ON c.id = a.contact_id
WHERE c.merged_into IS NULL AND c.erased_at IS NULL
GROUP BY a.kind,
  CASE a.kind WHEN 'phone' THEN regexp_replace(a.value, '[^0-9]', '', 'g')
              ELSE lower(btrim(a.value)) END
HAVING count(DISTINCT a.contact_id) > 1
LIMIT :limit

-- name: unconfiguredTopics
-- topics messages were sent under that are not (any longer) topics
SELECT m.topic, count(*) AS messages
FROM message m
WHERE m.topic IS NOT NULL AND NOT EXISTS (SELECT 1 FROM topic t WHERE t.key = m.topic)
GROUP BY m.topic
ORDER BY m.topic
LIMIT :limit
