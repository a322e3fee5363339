-- Inbound mail that names no delivery Tandem sent (a forged or stray bounce, unsolicited mail):
-- why it matched nothing. Such mail is kept and listed, and changes nothing.
ALTER TABLE inbound_email ADD COLUMN unmatched text;
CREATE INDEX inbound_email_unmatched ON inbound_email (received_at) WHERE unmatched IS NOT NULL;
