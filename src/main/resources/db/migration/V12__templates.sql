-- Issue 11: templates, brand snippets, tracked short links in SMS, a contact's locale.

-- The language a contact reads (a BCP 47 tag such as pt-BR); picks a template's variant.
ALTER TABLE contact ADD COLUMN locale text;

-- A template by its key; its content lives in versions, never edited in place.
CREATE TABLE template (
  key             text PRIMARY KEY,
  current_version integer NOT NULL,
  created_at      timestamptz NOT NULL,
  updated_at      timestamptz NOT NULL,
  deleted_at      timestamptz
);

-- Every version ever saved: a message records the version it was rendered from.
CREATE TABLE template_version (
  key        text NOT NULL REFERENCES template (key),
  version    integer NOT NULL,
  body       jsonb NOT NULL,
  created_at timestamptz NOT NULL,
  PRIMARY KEY (key, version)
);

-- Brand snippets shared by every template and both channels ({{> name}}).
CREATE TABLE snippet (
  key        text PRIMARY KEY,
  text       text NOT NULL,
  html       text,
  updated_at timestamptz NOT NULL
);

-- What a message was rendered from.
ALTER TABLE message ADD COLUMN template_key text;
ALTER TABLE message ADD COLUMN template_version integer;
ALTER TABLE message ADD COLUMN locale text;

-- A link in an SMS, shortened to /s/CODE: the code names the row, the target is stored (never
-- read from the request), so the redirect cannot send anyone elsewhere.
CREATE TABLE short_link (
  code           text PRIMARY KEY,
  message_id     uuid NOT NULL REFERENCES message (id) ON DELETE CASCADE,
  contact_id     uuid NOT NULL,
  url            text NOT NULL,
  created_at     timestamptz NOT NULL,
  clicks         integer NOT NULL DEFAULT 0,
  first_click_at timestamptz
);
CREATE INDEX short_link_contact ON short_link (contact_id);
