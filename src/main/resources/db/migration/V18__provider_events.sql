-- Event webhooks of email service providers: each event (or, for a provider that signs only a
-- token and not the body, each signed token) is taken once. A webhook that comes again, the
-- provider retrying or someone replaying a captured request, finds its id here and changes
-- nothing. Rows older than the signature's time window are deleted: a replay that old fails the
-- timestamp check anyway.
CREATE TABLE provider_event (
  provider    text NOT NULL,
  event_id    text NOT NULL,
  received_at timestamptz NOT NULL,
  PRIMARY KEY (provider, event_id)
);
CREATE INDEX provider_event_received ON provider_event (received_at);
