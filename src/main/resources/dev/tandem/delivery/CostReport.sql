-- name: byTopic
-- What a delivery costs once a provider accepted it (it has a provider id): sent, delivered, or
-- failed after acceptance. Suppressed, cancelled, refused at submit or still waiting: nothing.
SELECT coalesce(m.topic, 'reply') AS key, d.currency, count(*) AS deliveries,
       coalesce(sum(d.segments), 0) AS segments, coalesce(sum(d.cost), 0) AS cost
FROM delivery d JOIN message m ON m.id = d.message_id
WHERE d.created_at >= :from AND d.created_at < :to AND d.provider_id IS NOT NULL
GROUP BY 1, 2 ORDER BY 1, 2

-- name: byChannel
SELECT d.channel AS key, d.currency, count(*) AS deliveries,
       coalesce(sum(d.segments), 0) AS segments, coalesce(sum(d.cost), 0) AS cost
FROM delivery d
WHERE d.created_at >= :from AND d.created_at < :to AND d.provider_id IS NOT NULL
GROUP BY 1, 2 ORDER BY 1, 2

-- name: byCountry
SELECT coalesce(d.country, '-') AS key, d.currency, count(*) AS deliveries,
       coalesce(sum(d.segments), 0) AS segments, coalesce(sum(d.cost), 0) AS cost
FROM delivery d
WHERE d.created_at >= :from AND d.created_at < :to AND d.provider_id IS NOT NULL
GROUP BY 1, 2 ORDER BY 1, 2

-- name: smsSpent
-- What a topic has spent or reserved on SMS since an instant (for its daily budget): everything
-- planned that has not been suppressed or cancelled.
SELECT coalesce(sum(d.cost), 0) AS cost, min(d.currency) AS currency
FROM delivery d JOIN message m ON m.id = d.message_id
WHERE d.created_at >= :since AND d.channel = 'sms' AND m.topic = :topic
  AND d.status NOT IN ('suppressed', 'cancelled') AND d.cost IS NOT NULL
