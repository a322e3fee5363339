-- Issue 5: one person, one record, one consent ledger.

-- A merged contact stays as a tombstone pointing at the contact that absorbed it; an erased one
-- keeps its id (so consent history still has an owner) and nothing else.
ALTER TABLE contact ADD COLUMN merged_into uuid REFERENCES contact (id);
ALTER TABLE contact ADD COLUMN erased_at timestamptz;

-- Every merge, automatic (import, identity resolution) or by hand (API), with what was moved.
CREATE TABLE contact_merge (
  id        bigserial PRIMARY KEY,
  survivor  uuid NOT NULL REFERENCES contact (id),
  merged    uuid NOT NULL REFERENCES contact (id),
  automatic boolean NOT NULL,
  reason    text NOT NULL,
  at        timestamptz NOT NULL
);
CREATE INDEX contact_merge_survivor ON contact_merge (survivor);
CREATE INDEX contact_merge_merged ON contact_merge (merged);

-- The consent ledger: append-only. topic '*' is every topic on the channel (STOP, START).
CREATE TABLE consent_event (
  id          bigserial PRIMARY KEY,
  contact_id  uuid NOT NULL REFERENCES contact (id),
  channel     text NOT NULL CHECK (channel IN ('sms', 'email')),
  topic       text NOT NULL,
  action      text NOT NULL CHECK (action IN ('granted', 'revoked')),
  source      text NOT NULL CHECK (source IN ('sms-keyword', 'email-unsubscribe', 'preference-center',
                                              'api', 'import', 'double-opt-in', 'support')),
  wording     text,
  evidence    jsonb NOT NULL DEFAULT '{}',
  at          timestamptz NOT NULL,   -- when the person gave or withdrew consent
  recorded_at timestamptz NOT NULL,   -- when Tandem learnt it
  dedupe_key  text UNIQUE             -- replays (a second one-click POST, a re-import) add nothing
);
CREATE INDEX consent_event_contact ON consent_event (contact_id, id);

-- The current state, derived from the ledger (ConsentLedger.rebuild recomputes it).
CREATE TABLE consent_state (
  contact_id uuid NOT NULL REFERENCES contact (id),
  channel    text NOT NULL,
  topic      text NOT NULL,
  status     text NOT NULL CHECK (status IN ('granted', 'revoked')),
  event_id   bigint NOT NULL REFERENCES consent_event (id),
  at         timestamptz NOT NULL,
  PRIMARY KEY (contact_id, channel, topic)
);

-- Double opt-in requests waiting for the person to confirm.
CREATE TABLE consent_pending (
  id           uuid PRIMARY KEY,
  contact_id   uuid NOT NULL REFERENCES contact (id),
  channel      text NOT NULL CHECK (channel IN ('sms', 'email')),
  topic        text NOT NULL,
  wording      text NOT NULL,
  status       text NOT NULL CHECK (status IN ('pending', 'confirmed', 'expired')),
  expires_at   timestamptz NOT NULL,
  created_at   timestamptz NOT NULL,
  confirmed_at timestamptz
);
CREATE INDEX consent_pending_contact ON consent_pending (contact_id, channel) WHERE status = 'pending';

-- Things a person said that may be a revocation the keyword classifier did not catch; for review.
CREATE TABLE contact_flag (
  id          bigserial PRIMARY KEY,
  contact_id  uuid NOT NULL REFERENCES contact (id),
  kind        text NOT NULL,
  channel     text,
  text        text,
  inbound_id  uuid,
  created_at  timestamptz NOT NULL,
  resolved_at timestamptz
);
CREATE INDEX contact_flag_open ON contact_flag (created_at) WHERE resolved_at IS NULL;

-- A message is about a topic; NULL is a compliance reply (STOP confirmation, HELP answer), which
-- consent does not gate.
ALTER TABLE message ADD COLUMN topic text;

ALTER TABLE delivery DROP CONSTRAINT delivery_status_check;
ALTER TABLE delivery ADD CONSTRAINT delivery_status_check
  CHECK (status IN ('queued', 'sending', 'sent', 'delivered', 'failed', 'suppressed'));

-- Suppressions gain erased addresses, stored as a keyed one-way hash ("erased:<hmac>").
-- The changes feed for systems that keep their own copy. Read in (xid, id) order and only below
-- the oldest running transaction, so a reader never skips a change that commits late.
CREATE TABLE change (
  id         bigserial PRIMARY KEY,
  xid        xid8 NOT NULL DEFAULT pg_current_xact_id(),
  contact_id uuid NOT NULL,
  kind       text NOT NULL,
  data       jsonb NOT NULL DEFAULT '{}',
  at         timestamptz NOT NULL
);
CREATE INDEX change_order ON change (xid, id);
