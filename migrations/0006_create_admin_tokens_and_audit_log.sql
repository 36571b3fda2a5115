-- Admin API tokens: a name, a role (viewer < operator < admin), an expiry.
-- Only the sha256 of a token is stored: tokens are 32 random bytes, so a
-- slow hash adds nothing and a lookup by hash stays one index probe.
CREATE TABLE admin_tokens (
  name          text        PRIMARY KEY,
  role          text        NOT NULL CHECK (role IN ('viewer', 'operator', 'admin')),
  token_hash    text        NOT NULL UNIQUE,
  created_by    text        NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  expires_at    timestamptz,
  revoked_at    timestamptz
);

-- Every admin action and every verdict change: who, what, when, before, after.
CREATE TABLE audit_log (
  id      bigserial   PRIMARY KEY,
  at      timestamptz NOT NULL DEFAULT now(),
  actor   text        NOT NULL,
  action  text        NOT NULL,
  target  text        NOT NULL,
  before  jsonb,
  after   jsonb
);
CREATE INDEX audit_log_actor_idx ON audit_log (actor, id);
CREATE INDEX audit_log_action_idx ON audit_log (action, id);
CREATE INDEX audit_log_at_idx ON audit_log (at);
