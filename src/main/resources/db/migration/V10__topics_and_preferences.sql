-- Issue 10: topics live here, managed at runtime (PUT /v1/topics/{key}) and seeded from config at
-- start: a configured topic missing from this table is inserted; a row is never overwritten by
-- config (docs/decisions/0018-topics-in-the-database.md).
CREATE TABLE topic (
  key         text PRIMARY KEY CHECK (key ~ '^[a-z0-9][a-z0-9_-]{0,63}$'),
  class       text NOT NULL CHECK (class IN ('critical', 'transactional', 'marketing')),
  description text NOT NULL,
  -- the routing policy as the API writes it (every field present): policy, preferenceDefault,
  -- fallback, smsSegmentBudget, quietHours, caps, overCap, dedupeWindow, dailySmsBudget
  policy      jsonb NOT NULL,
  created_at  timestamptz NOT NULL,
  updated_at  timestamptz NOT NULL
);

-- A person's preferred channel per topic. Not consent: it never grants anything; routing reads it
-- under the 'preference' channel policy.
CREATE TABLE preference (
  contact_id uuid NOT NULL REFERENCES contact (id),
  topic      text NOT NULL,
  channel    text NOT NULL CHECK (channel IN ('sms', 'email')),
  source     text NOT NULL CHECK (source IN ('api', 'preference-center', 'import', 'support')),
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (contact_id, topic)
);
-- DELETE /v1/topics/{key} asks whether a topic is in use.
CREATE INDEX preference_topic ON preference (topic);
