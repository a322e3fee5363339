-- Issue 9: claims a node can prove it still holds, and receipts that only complete live parts.

-- When the delivery was last claimed, i.e. when its parts were submitted. A receipt received
-- before that belongs to an earlier message that had the same SMSC id.
ALTER TABLE delivery ADD COLUMN claimed_at timestamptz;
