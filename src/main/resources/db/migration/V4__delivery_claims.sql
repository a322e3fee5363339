-- Issue 9: claims a node can prove it still holds, and receipts that only complete live parts.

-- When the delivery was last claimed, i.e. when its parts were submitted. A receipt received
-- before that belongs to an earlier message that had the same SMSC id.
ALTER TABLE delivery ADD COLUMN claimed_at timestamptz;

-- Who holds a 'sending' delivery: the node (dispatch.nodeId, or the id kept in its data directory)
-- and a token new for every claim. A result is written only while the token is still the one on
-- the row, so a node whose lease expired and was taken over changes nothing; a restarted node takes
-- back its own claims at once instead of waiting for their lease.
ALTER TABLE delivery ADD COLUMN claimed_by text;
ALTER TABLE delivery ADD COLUMN claim_token uuid;
CREATE INDEX delivery_claimed_by ON delivery (claimed_by) WHERE status = 'sending';

-- A receipt the SMSC sends again is matched to where its first copy went (by key and text).
CREATE INDEX sms_receipt_matched_key ON sms_receipt (receipt_key) WHERE delivery_id IS NOT NULL;
