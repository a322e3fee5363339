-- Per-message senders (docs/api.md#senders): the SMS sender id, the email From and Reply-To a
-- message was accepted with, when it named one or sms.senders / email.identities are listed (null:
-- the gateway's configured sender). Kept with the message, so a restart, a retry or a fallback
-- sends from the same sender.
ALTER TABLE message ADD COLUMN sms_from text;
ALTER TABLE message ADD COLUMN email_from text;
ALTER TABLE message ADD COLUMN email_reply_to text;

-- Per-message status callbacks (docs/webhooks.md#status-callbacks, decision 0026): the URL each
-- delivery.* event of the message is POSTed to, through the webhook outbox. A callback's
-- webhook_event rows carry the URL themselves and the message id as their webhook_id (the
-- message is their implicit subscription, so its events go out in order).
ALTER TABLE message ADD COLUMN status_callback text;
CREATE INDEX message_status_callback ON message (id) WHERE status_callback IS NOT NULL;
ALTER TABLE webhook_event ADD COLUMN url text;
