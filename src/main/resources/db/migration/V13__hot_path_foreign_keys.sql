-- Foreign keys only where they protect something (decision 0024). Contacts, messages, deliveries
-- and consent events are never deleted (a merge keeps both contact rows, an erasure redacts and
-- keeps the row), so a reference to them cannot dangle; what these constraints cost is paid on
-- every message, receipt and imported row: an index probe and a share lock written into the
-- referenced row (a heap change and WAL of its own) for each. Every writer of these columns takes
-- the id from a row it read or created in the same transaction.
ALTER TABLE message DROP CONSTRAINT message_contact_id_fkey;
ALTER TABLE delivery DROP CONSTRAINT delivery_message_id_fkey;
ALTER TABLE delivery DROP CONSTRAINT delivery_contact_id_fkey;
ALTER TABLE sms_part DROP CONSTRAINT sms_part_delivery_id_fkey;
ALTER TABLE sms_receipt DROP CONSTRAINT sms_receipt_delivery_id_fkey;
ALTER TABLE event DROP CONSTRAINT event_contact_id_fkey;
ALTER TABLE consent_event DROP CONSTRAINT consent_event_contact_id_fkey;
ALTER TABLE consent_state DROP CONSTRAINT consent_state_contact_id_fkey;
ALTER TABLE consent_state DROP CONSTRAINT consent_state_event_id_fkey;
