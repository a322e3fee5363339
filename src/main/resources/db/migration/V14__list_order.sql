-- Suppressions list newest first (GET /v1/suppressions), a page at a time from a cursor.
CREATE INDEX suppression_created ON suppression (created_at, channel, address, scope);
