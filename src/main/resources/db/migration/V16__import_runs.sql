-- Every import, finished or refused, with its report (GET /v1/imports). An erasure blanks the
-- erased person's addresses in the reports that name them.
CREATE TABLE import_run (
  id          uuid PRIMARY KEY,
  name        text NOT NULL,
  dry_run     boolean NOT NULL,
  status      text NOT NULL CHECK (status IN ('completed', 'failed')),
  report      jsonb,
  error       text,
  started_at  timestamptz NOT NULL,
  finished_at timestamptz NOT NULL
);
