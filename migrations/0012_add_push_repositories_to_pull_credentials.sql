-- Pull credentials that may also push (through the door's pass-through
-- writes): the repositories they may push to, as names or `team/*` prefixes.
-- Empty = pull only, which every existing credential stays.
ALTER TABLE pull_credentials
  ADD COLUMN push_repositories text[] NOT NULL DEFAULT '{}';
