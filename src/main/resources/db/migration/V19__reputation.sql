-- The reputation guard (docs/reputation.md): marketing on a channel (email: per sending domain) is
-- paused when its complaint, bounce or opt-out rate passes its threshold, until someone resumes it.
-- At most one pause is open per channel and scope, so several nodes that see the same rates pause
-- once; a resume closes it, and the rates that may pause it again count from the resume.
CREATE TABLE reputation_pause (
  id         bigserial PRIMARY KEY,
  channel    text NOT NULL CHECK (channel IN ('sms', 'email')),
  scope      text NOT NULL,          -- the sending domain for email; '' for SMS
  reason     text NOT NULL,
  rates      jsonb NOT NULL,
  paused_at  timestamptz NOT NULL,
  resumed_at timestamptz,
  resumed_by text
);
CREATE UNIQUE INDEX reputation_pause_open ON reputation_pause (channel, scope) WHERE resumed_at IS NULL;

-- The windows the guard reads: recent bounces and complaints, recent opt-outs by keyword.
CREATE INDEX inbound_email_reports ON inbound_email (received_at)
  WHERE kind IN ('hard_bounce', 'complaint') AND delivery_id IS NOT NULL;
CREATE INDEX consent_event_opt_outs ON consent_event (recorded_at)
  WHERE action = 'revoked' AND source = 'sms-keyword';
