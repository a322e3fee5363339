-- Outbound webhooks (docs/webhooks.md). A subscription names a URL, the event types it wants and
-- the secret its deliveries are signed with (kept as given: it signs every delivery).
CREATE TABLE webhook (
  id              uuid PRIMARY KEY,
  url             text NOT NULL,
  events          text[] NOT NULL,
  secret          text NOT NULL,
  description     text,
  created_at      timestamptz NOT NULL,
  updated_at      timestamptz NOT NULL,
  failing_since   timestamptz,
  disabled_at     timestamptz,
  disabled_reason text
);

-- One row per event and subscription, written in the transaction of the change it tells of: the
-- due work of the webhook sender (at least once, in order per contact), and the delivery log.
CREATE TABLE webhook_event (
  id              bigserial PRIMARY KEY,
  event_id        uuid NOT NULL,
  webhook_id      uuid NOT NULL,  -- no key: a delete must never fail the change being written
  type            text NOT NULL,
  contact_id      uuid,
  payload         jsonb NOT NULL,
  status          text NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
  attempts        integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL,
  last_attempt_at timestamptz,
  last_status     integer,
  last_response   text,
  created_at      timestamptz NOT NULL,
  delivered_at    timestamptz
);
CREATE INDEX webhook_event_due ON webhook_event (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_event_order ON webhook_event (webhook_id, contact_id, id) WHERE status = 'pending';
CREATE INDEX webhook_event_log ON webhook_event (webhook_id, id);
CREATE INDEX webhook_event_contact ON webhook_event (contact_id);
