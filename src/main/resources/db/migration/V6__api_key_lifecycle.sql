-- API keys get scopes, an optional expiry, the time of their last use and a revocation time.
-- Keys that exist already keep every right they had: both scopes.
ALTER TABLE api_key
  ADD COLUMN scopes       text[] NOT NULL DEFAULT ARRAY['api', 'keys:manage'],
  ADD COLUMN expires_at   timestamptz,
  ADD COLUMN last_used_at timestamptz,
  ADD COLUMN revoked_at   timestamptz;

ALTER TABLE api_key ALTER COLUMN scopes DROP DEFAULT;
