-- Per-finding exceptions (VEX-like): an advisory (and optionally one
-- package) does not count for the images in scope until the expiry.
-- Scope: a digest, a repository glob (`team/*`) and environments; an
-- absent part means "any".
CREATE TABLE policy_exceptions (
  id                  bigserial   PRIMARY KEY,
  advisory_id         text        NOT NULL,
  package             text,
  scope_digest        text,
  scope_repository    text,
  scope_environments  jsonb,
  owner               text        NOT NULL,
  justification       text        NOT NULL,
  expires_at          timestamptz NOT NULL,
  created_by          text        NOT NULL,
  created_at          timestamptz NOT NULL DEFAULT now(),
  revoked_at          timestamptz
);
CREATE INDEX policy_exceptions_expiry ON policy_exceptions (expires_at)
  WHERE revoked_at IS NULL;

-- Break-glass: one digest made eligible in one environment until the
-- expiry, whatever the rules say, with the ticket that justifies it.
CREATE TABLE break_glass_grants (
  id           bigserial   PRIMARY KEY,
  repository   text        NOT NULL,
  digest       text        NOT NULL,
  environment  text        NOT NULL,
  ticket       text        NOT NULL,
  reason       text        NOT NULL,
  expires_at   timestamptz NOT NULL,
  created_by   text        NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  revoked_at   timestamptz
);
CREATE INDEX break_glass_grants_expiry ON break_glass_grants (expires_at)
  WHERE revoked_at IS NULL;

-- Every version of the trust rules in force: where it came from (the rules
-- file or the API), its YAML, who made it and when.
CREATE TABLE rule_versions (
  id            bigserial   PRIMARY KEY,
  content_hash  text        NOT NULL,
  source        text        NOT NULL CHECK (source IN ('file', 'api')),
  yaml          text        NOT NULL,
  created_by    text        NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now()
);
