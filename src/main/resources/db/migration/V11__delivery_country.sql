-- Issue 10: cost per destination country, and a report over a time range.

-- The ISO 3166 region of an SMS destination (from its number); null for email.
ALTER TABLE delivery ADD COLUMN country text;
-- The cost report and the daily SMS budget read deliveries by when they were made.
CREATE INDEX delivery_created ON delivery (created_at);
