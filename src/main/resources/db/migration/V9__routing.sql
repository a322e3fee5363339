-- Issue 10: routed messages, their plan, and the steps that wait (deferred sends, fallbacks,
-- pointer SMS).

-- The router's plan, as GET /v1/messages/{id} shows it; null for messages accepted before routing.
ALTER TABLE message ADD COLUMN plan jsonb;
-- The topic's class when the message was accepted, and the content key: what caps and the dedupe
-- window count (a topic whose class changes later does not rewrite history).
ALTER TABLE message ADD COLUMN topic_class text;
ALTER TABLE message ADD COLUMN dedupe_key text;
CREATE INDEX message_dedupe ON message (contact_id, topic, dedupe_key, created_at)
  WHERE dedupe_key IS NOT NULL;

-- What a delivery is in its message's plan: sent now, deferred (quiet hours, a cap, the budget),
-- a fallback that follows another delivery, or an SMS that points to an email.
ALTER TABLE delivery ADD COLUMN step text NOT NULL DEFAULT 'now'
  CHECK (step IN ('now', 'deferred', 'fallback', 'pointer'));
-- The delivery a fallback or pointer follows, what makes it go, and how long it waits for a
-- receipt, an open or a click once that delivery was sent.
ALTER TABLE delivery ADD COLUMN follows uuid REFERENCES delivery (id);
ALTER TABLE delivery ADD COLUMN triggers text[];
ALTER TABLE delivery ADD COLUMN wait interval;
-- Which content a pointer step carried when it went: 'pointer' (a link to the email) or 'full'
-- (its own SMS text, because the email failed).
ALTER TABLE delivery ADD COLUMN variant text CHECK (variant IN ('pointer', 'full'));

-- 'held': a fallback or pointer waiting for what it follows (next_attempt_at is 'infinity' until
-- a timer is armed); 'cancelled': it will never go, last_error says why.
ALTER TABLE delivery DROP CONSTRAINT delivery_status_check;
ALTER TABLE delivery ADD CONSTRAINT delivery_status_check
  CHECK (status IN ('queued', 'sending', 'sent', 'delivered', 'failed', 'suppressed', 'held',
                    'cancelled'));
CREATE INDEX delivery_held_due ON delivery (next_attempt_at) WHERE status = 'held';
CREATE INDEX delivery_follows ON delivery (follows) WHERE status = 'held';
-- Caps count a person's recent deliveries.
CREATE INDEX delivery_contact_created ON delivery (contact_id, created_at);
