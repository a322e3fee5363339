-- An SMS from a sender that is not a phone number (a short code, an alphanumeric name) is kept
-- without a contact: its STOP still counts (as a suppression of that sender).
ALTER TABLE inbound_sms ALTER COLUMN contact_id DROP NOT NULL;
