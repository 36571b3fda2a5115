-- Vulnerability data as atomic snapshots, incremental re-matching, and the
-- outbox of verdict-change events (issue #5).

-- An import becomes a data snapshot when it commits; snapshot ids follow
-- commit order, so a re-match never misses an import that committed late.
ALTER TABLE vulndb_imports ADD COLUMN snapshot_id integer UNIQUE;
ALTER TABLE vulndb_imports ADD COLUMN feeds jsonb NOT NULL DEFAULT '[]';
ALTER TABLE vulndb_imports ADD COLUMN changed_packages integer NOT NULL DEFAULT 0;
UPDATE vulndb_imports SET snapshot_id = id WHERE status = 'done';

-- The feed (file, directory or mirror URL) that last delivered a record: an
-- active record missing from a later import of its feed is withdrawn.
ALTER TABLE advisories ADD COLUMN feed text;
-- False when withdrawn or when it names no package (nothing can match it).
ALTER TABLE advisories ADD COLUMN is_active boolean NOT NULL DEFAULT true;
UPDATE advisories SET is_active =
  (withdrawn IS NULL AND jsonb_array_length(coalesce(record -> 'affected', '[]'::jsonb)) > 0);
CREATE INDEX advisories_feed ON advisories (feed) WHERE is_active;

-- Package names in the index are now normalised per ecosystem (lib/vulndb/
-- names.ts: PyPI PEP 503, crates.io, NuGet, Packagist), as lookups are.
WITH old AS (
  DELETE FROM advisory_packages
  WHERE ecosystem IN ('PyPI', 'crates.io', 'NuGet', 'Packagist')
  RETURNING source, advisory_id, ecosystem, name)
INSERT INTO advisory_packages (source, advisory_id, ecosystem, name)
SELECT DISTINCT source, advisory_id, ecosystem,
  CASE ecosystem
    WHEN 'PyPI' THEN regexp_replace(lower(btrim(name)), '[-_.]+', '-', 'g')
    WHEN 'crates.io' THEN replace(lower(btrim(name)), '_', '-')
    ELSE lower(btrim(name))
  END
FROM old
ON CONFLICT DO NOTHING;

-- Records of an import in progress: invisible until the import commits,
-- dropped when it fails.
CREATE TABLE vulndb_staged_advisories (
  import_id     integer NOT NULL REFERENCES vulndb_imports (id) ON DELETE CASCADE,
  source        text    NOT NULL,
  id            text    NOT NULL,
  feed          text    NOT NULL,
  modified      text    NOT NULL,
  withdrawn     text,
  aliases       jsonb   NOT NULL,
  summary       text,
  content_hash  text    NOT NULL,
  is_active     boolean NOT NULL,
  record        jsonb   NOT NULL,
  -- [[ecosystem, normalised name], …] the record names.
  packages      jsonb   NOT NULL,
  PRIMARY KEY (import_id, source, id)
);

-- What each committed import changed.
CREATE TABLE vulndb_import_changes (
  import_id     integer NOT NULL REFERENCES vulndb_imports (id) ON DELETE CASCADE,
  source        text    NOT NULL,
  advisory_id   text    NOT NULL,
  feed          text,
  change        text    NOT NULL CHECK (change IN ('added', 'changed', 'withdrawn')),
  PRIMARY KEY (import_id, source, advisory_id)
);

-- Packages (ecosystem, normalised name) named by a changed advisory, before
-- or after the change: the images holding them are the ones to re-match.
CREATE TABLE vulndb_changed_packages (
  snapshot_id   integer NOT NULL,
  ecosystem     text    NOT NULL,
  name          text    NOT NULL,
  PRIMARY KEY (snapshot_id, ecosystem, name)
);
CREATE INDEX vulndb_changed_packages_lookup ON vulndb_changed_packages (ecosystem, name);

-- The data snapshot each image's findings are up to date with (NULL: matched
-- when there was no data yet).
CREATE TABLE image_matches (
  image_digest   text        PRIMARY KEY,
  snapshot_id    integer,
  matched_at     timestamptz NOT NULL DEFAULT now()
);

-- The advisory lookup key of each package of an image (source package for
-- distributions, normalised name), for finding the images a change hits
-- and reading only their packages the change concerns.
CREATE TABLE image_package_keys (
  image_digest  text    NOT NULL,
  ordinal       integer NOT NULL,
  ecosystem     text    NOT NULL,
  name          text    NOT NULL,
  PRIMARY KEY (image_digest, ordinal)
);
CREATE INDEX image_package_keys_lookup ON image_package_keys (ecosystem, name);

-- Both severities of a finding, so rules can choose (severitySource).
ALTER TABLE findings ADD COLUMN cvss_score real;
ALTER TABLE findings ADD COLUMN cvss_severity text;
ALTER TABLE findings ADD COLUMN distribution_severity text;
ALTER TABLE findings ADD COLUMN distribution_severity_source text;

-- Outbound events, written in the same transaction as the verdict change
-- they announce, delivered to each configured sink until it answers 2xx.
CREATE TABLE event_outbox (
  id          bigserial   PRIMARY KEY,
  event_id    text        NOT NULL UNIQUE,
  type        text        NOT NULL,
  subject     text        NOT NULL,
  data        jsonb       NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);

-- Sinks seen so far; a sink receives the events written after it appeared.
CREATE TABLE event_sinks (
  name           text        PRIMARY KEY,
  first_event    bigint      NOT NULL,
  registered_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE event_deliveries (
  outbox_id        bigint      NOT NULL REFERENCES event_outbox (id) ON DELETE CASCADE,
  sink             text        NOT NULL,
  attempts         integer     NOT NULL DEFAULT 0,
  next_attempt_at  timestamptz NOT NULL DEFAULT now(),
  delivered_at     timestamptz,
  last_error       text,
  PRIMARY KEY (outbox_id, sink)
);
CREATE INDEX event_deliveries_due ON event_deliveries (sink, next_attempt_at)
  WHERE delivered_at IS NULL;
