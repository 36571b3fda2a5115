-- Pull accounts and robot tokens: who may pull through the door, bound to
-- one environment, until an expiry. Secrets are stored as scrypt hashes.
CREATE TABLE pull_credentials (
  name          text        PRIMARY KEY,
  kind          text        NOT NULL CHECK (kind IN ('account', 'robot')),
  secret_hash   text        NOT NULL,
  environment   text        NOT NULL,
  expires_at    timestamptz,
  created_at    timestamptz NOT NULL DEFAULT now(),
  revoked_at    timestamptz
);

-- Values every replica must share (e.g. the key that signs pull tokens).
CREATE TABLE settings (
  name        text        PRIMARY KEY,
  value       text        NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);
