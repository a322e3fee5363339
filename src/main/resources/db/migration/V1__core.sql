-- Contacts and their addresses: an address belongs to at most one contact.
CREATE TABLE contact (
  id          uuid PRIMARY KEY,
  external_id text UNIQUE,
  name        text,
  time_zone   text,
  created_at  timestamptz NOT NULL
);

CREATE TABLE contact_address (
  kind       text NOT NULL CHECK (kind IN ('phone', 'email')),
  value      text NOT NULL,
  contact_id uuid NOT NULL REFERENCES contact (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL,
  PRIMARY KEY (kind, value)
);
CREATE INDEX contact_address_contact ON contact_address (contact_id);

-- One send request. The idempotency key makes a retried request return the same message.
CREATE TABLE message (
  id              uuid PRIMARY KEY,
  contact_id      uuid NOT NULL REFERENCES contact (id),
  idempotency_key text UNIQUE,
  request_hash    text NOT NULL,
  content         jsonb NOT NULL,
  created_at      timestamptz NOT NULL
);
CREATE INDEX message_contact ON message (contact_id, created_at);

-- One channel attempt of a message; the dispatcher's work queue (claimed with SKIP LOCKED).
CREATE TABLE delivery (
  id              uuid PRIMARY KEY,
  message_id      uuid NOT NULL REFERENCES message (id),
  contact_id      uuid NOT NULL REFERENCES contact (id),
  channel         text NOT NULL CHECK (channel IN ('sms', 'email')),
  address         text NOT NULL,
  status          text NOT NULL CHECK (status IN ('queued', 'sending', 'sent', 'delivered', 'failed')),
  attempts        integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL,
  lease_until     timestamptz,
  provider_id     text,
  last_error      text,
  segments        integer,
  encoding        text,
  cost            numeric(14, 6),
  currency        text,
  created_at      timestamptz NOT NULL,
  updated_at      timestamptz NOT NULL
);
CREATE INDEX delivery_due ON delivery (next_attempt_at) WHERE status = 'queued';
CREATE INDEX delivery_leased ON delivery (lease_until) WHERE status = 'sending';
CREATE INDEX delivery_message ON delivery (message_id);

-- Each submit_sm of an SMS: one for a single SMS, one per part of a concatenated one. A delivery
-- is delivered when every part is, failed when any part finally fails.
CREATE TABLE sms_part (
  delivery_id uuid NOT NULL REFERENCES delivery (id),
  seq         integer NOT NULL,
  provider_id text NOT NULL,
  receipt_key text NOT NULL,
  status      text NOT NULL DEFAULT 'sent' CHECK (status IN ('sent', 'delivered', 'failed')),
  stat        text,
  PRIMARY KEY (delivery_id, seq)
);
CREATE INDEX sms_part_receipt_key ON sms_part (receipt_key);

-- Delivery receipts as received. A receipt can arrive before Tandem has stored the id from
-- submit_sm_resp; it waits here (delivery_id NULL) until the id is known.
CREATE TABLE sms_receipt (
  id          bigserial PRIMARY KEY,
  receipt_key text NOT NULL,
  stat        text NOT NULL,
  err         text,
  raw         text NOT NULL,
  received_at timestamptz NOT NULL,
  delivery_id uuid REFERENCES delivery (id),
  part_seq    integer
);
CREATE INDEX sms_receipt_pending ON sms_receipt (receipt_key) WHERE delivery_id IS NULL;

-- Mobile-originated SMS, raw fields kept.
CREATE TABLE inbound_sms (
  id          uuid PRIMARY KEY,
  contact_id  uuid NOT NULL REFERENCES contact (id),
  sender      text NOT NULL,
  recipient   text NOT NULL,
  text        text NOT NULL,
  data_coding integer NOT NULL,
  esm_class   integer NOT NULL DEFAULT 0,
  user_data   text NOT NULL DEFAULT '',   -- as received, hex; one per part, space-separated
  received_at timestamptz NOT NULL
);

-- Parts of concatenated mobile-originated SMS waiting for the rest.
CREATE TABLE inbound_sms_part (
  sender      text NOT NULL,
  reference   integer NOT NULL,
  total       integer NOT NULL,
  seq         integer NOT NULL,
  recipient   text NOT NULL,
  text        text NOT NULL,
  data_coding integer NOT NULL,
  esm_class   integer NOT NULL DEFAULT 0,
  user_data   text NOT NULL DEFAULT '',
  received_at timestamptz NOT NULL,
  PRIMARY KEY (sender, reference, total, seq)
);

-- What the SMSC sent that Tandem could not use, kept with the reason.
CREATE TABLE sms_problem (
  id          bigserial PRIMARY KEY,
  kind        text NOT NULL,
  source      text,
  raw         text NOT NULL,
  reason      text NOT NULL,
  received_at timestamptz NOT NULL
);

-- Everything on a contact's timeline.
CREATE TABLE event (
  id          bigserial PRIMARY KEY,
  contact_id  uuid NOT NULL REFERENCES contact (id),
  at          timestamptz NOT NULL,
  type        text NOT NULL,
  channel     text,
  message_id  uuid,
  delivery_id uuid,
  detail      jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX event_contact_time ON event (contact_id, at, id);

-- API keys, stored as SHA-256 of the key (keys are 256 random bits, so no slow hash is needed).
CREATE TABLE api_key (
  id         uuid PRIMARY KEY,
  name       text NOT NULL,
  key_hash   text NOT NULL UNIQUE,
  prefix     text NOT NULL,
  created_at timestamptz NOT NULL
);

-- The queue tables change fast: a delivery is updated three or four times in its first seconds.
-- Vacuum and analyze them early, so that plans follow their growth (a table that grew from empty
-- without statistics gets sequential scans) and dead rows do not pile up.
ALTER TABLE delivery SET (autovacuum_vacuum_scale_factor = 0.02, autovacuum_analyze_scale_factor = 0.02);
ALTER TABLE sms_part SET (autovacuum_vacuum_scale_factor = 0.02, autovacuum_analyze_scale_factor = 0.02);
ALTER TABLE sms_receipt SET (autovacuum_vacuum_scale_factor = 0.05, autovacuum_analyze_scale_factor = 0.02);
ALTER TABLE message SET (autovacuum_analyze_scale_factor = 0.02);
ALTER TABLE event SET (autovacuum_analyze_scale_factor = 0.02);
ALTER TABLE contact_address SET (autovacuum_analyze_scale_factor = 0.02);

-- Mail received for the reply and bounce domains, classified, with what Tandem made of it.
CREATE TABLE inbound_email (
  id          uuid PRIMARY KEY,
  kind        text NOT NULL,
  sender      text NOT NULL,
  subject     text NOT NULL,
  verp_token  text,
  delivery_id uuid REFERENCES delivery (id),
  contact_id  uuid REFERENCES contact (id),
  status      text,
  diagnostic  text,
  new_text    text NOT NULL,
  full_text   text NOT NULL,
  problem     text,
  size        integer NOT NULL,
  received_at timestamptz NOT NULL
);
CREATE INDEX inbound_email_contact ON inbound_email (contact_id, received_at);

-- Addresses Tandem must not send to: hard bounces (scope all), complaints (scope marketing).
CREATE TABLE suppression (
  channel    text NOT NULL CHECK (channel IN ('sms', 'email')),
  address    text NOT NULL,
  scope      text NOT NULL CHECK (scope IN ('all', 'marketing')),
  reason     text NOT NULL,
  created_at timestamptz NOT NULL,
  PRIMARY KEY (channel, address, scope)
);

-- Secrets generated at first start and shared by every node (link signing).
CREATE TABLE secret (
  name       text PRIMARY KEY,
  value      bytea NOT NULL,
  created_at timestamptz NOT NULL
);
