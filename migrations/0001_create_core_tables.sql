-- Core tables of Customs: intake events, manifests and what they reference,
-- scans and packages, advisories, signatures, verdicts and their history.
-- Digests are stored as text `sha256:<hex>`; times are timestamptz.

CREATE TABLE webhook_events (
  source        text        NOT NULL,
  event_id      text        NOT NULL,
  received_at   timestamptz NOT NULL DEFAULT now(),
  action        text        NOT NULL,
  repository    text        NOT NULL,
  digest        text,
  tag           text,
  media_type    text,
  outcome       text        NOT NULL,
  body          jsonb       NOT NULL,
  PRIMARY KEY (source, event_id)
);
CREATE INDEX webhook_events_received_at ON webhook_events (received_at DESC);

-- A manifest (image, index or artifact) by digest, as fetched and verified.
CREATE TABLE manifests (
  digest          text        PRIMARY KEY,
  media_type      text        NOT NULL,
  kind            text        NOT NULL CHECK (kind IN ('image', 'index', 'signature', 'artifact')),
  size_bytes      integer     NOT NULL,
  body            bytea       NOT NULL,
  -- For signatures and referrers: the image they are about.
  subject_digest  text,
  platform        text,
  created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX manifests_subject ON manifests (subject_digest) WHERE subject_digest IS NOT NULL;

-- Descriptors a manifest references: config, layers, index children.
CREATE TABLE manifest_references (
  manifest_digest text    NOT NULL REFERENCES manifests (digest) ON DELETE CASCADE,
  position        integer NOT NULL,
  role            text    NOT NULL CHECK (role IN ('config', 'layer', 'manifest', 'subject')),
  digest          text    NOT NULL,
  media_type      text    NOT NULL,
  size_bytes      bigint  NOT NULL,
  platform        text,
  PRIMARY KEY (manifest_digest, position)
);
CREATE INDEX manifest_references_digest ON manifest_references (digest);

-- Which repositories hold which manifests (a digest may live in several).
CREATE TABLE repository_manifests (
  repository    text        NOT NULL,
  digest        text        NOT NULL REFERENCES manifests (digest) ON DELETE CASCADE,
  first_seen_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (repository, digest)
);
CREATE INDEX repository_manifests_digest ON repository_manifests (digest);

CREATE TABLE tags (
  repository  text        NOT NULL,
  tag         text        NOT NULL,
  digest      text        NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (repository, tag)
);

-- One scan per manifest digest: the package list does not depend on the repository.
CREATE TABLE scans (
  digest          text        PRIMARY KEY,
  status          text        NOT NULL CHECK (status IN ('pending', 'running', 'done', 'failed')),
  attempts        integer     NOT NULL DEFAULT 0,
  error_code      text,
  error_message   text,
  distribution    jsonb,
  warnings        jsonb       NOT NULL DEFAULT '[]',
  stats           jsonb       NOT NULL DEFAULT '{}',
  detector_key    text,
  started_at      timestamptz,
  finished_at     timestamptz,
  duration_ms     integer,
  updated_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE packages (
  image_digest    text    NOT NULL,
  ordinal         integer NOT NULL,
  ecosystem       text    NOT NULL,
  name            text    NOT NULL,
  version         text    NOT NULL,
  arch            text,
  source_name     text,
  source_version  text,
  purl            text    NOT NULL,
  layer_digest    text    NOT NULL,
  detector        text    NOT NULL,
  path            text    NOT NULL,
  PRIMARY KEY (image_digest, ordinal)
);
CREATE INDEX packages_lookup ON packages (ecosystem, (coalesce(source_name, name)));

-- Vulnerability data, in the OSV model. One import run = one data snapshot.
CREATE TABLE vulndb_imports (
  id            serial      PRIMARY KEY,
  started_at    timestamptz NOT NULL DEFAULT now(),
  finished_at   timestamptz,
  status        text        NOT NULL CHECK (status IN ('running', 'done', 'failed')),
  sources       jsonb       NOT NULL DEFAULT '[]',
  added         integer     NOT NULL DEFAULT 0,
  changed       integer     NOT NULL DEFAULT 0,
  unchanged     integer     NOT NULL DEFAULT 0,
  withdrawn     integer     NOT NULL DEFAULT 0,
  skipped       integer     NOT NULL DEFAULT 0,
  warnings      jsonb       NOT NULL DEFAULT '[]'
);

CREATE TABLE advisories (
  source        text        NOT NULL,
  id            text        NOT NULL,
  modified      text        NOT NULL,
  withdrawn     text,
  aliases       text[]      NOT NULL DEFAULT '{}',
  summary       text,
  content_hash  text        NOT NULL,
  record        jsonb       NOT NULL,
  import_id     integer     NOT NULL REFERENCES vulndb_imports (id),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (source, id)
);

-- (ecosystem, package) → advisory, so matching reads only what applies.
CREATE TABLE advisory_packages (
  source        text NOT NULL,
  advisory_id   text NOT NULL,
  ecosystem     text NOT NULL,
  name          text NOT NULL,
  PRIMARY KEY (source, advisory_id, ecosystem, name),
  FOREIGN KEY (source, advisory_id) REFERENCES advisories (source, id) ON DELETE CASCADE
);
CREATE INDEX advisory_packages_lookup ON advisory_packages (ecosystem, name);

CREATE TABLE findings (
  image_digest     text    NOT NULL,
  ordinal          integer NOT NULL,
  advisory_source  text    NOT NULL,
  advisory_id      text    NOT NULL,
  aliases          text[]  NOT NULL DEFAULT '{}',
  ecosystem        text    NOT NULL,
  package_name     text    NOT NULL,
  package_version  text    NOT NULL,
  advisory_package text    NOT NULL,
  fixed_version    text,
  severity         text    NOT NULL,
  severity_source  text,
  status           text    NOT NULL CHECK (status IN ('affected', 'undetermined')),
  summary          text,
  snapshot_id      integer,
  PRIMARY KEY (image_digest, ordinal)
);
CREATE INDEX findings_advisory ON findings (advisory_id);

-- Signatures found for an image, with the result of verifying each.
CREATE TABLE signatures (
  subject_digest    text        NOT NULL,
  signature_digest  text        NOT NULL,
  layer_digest      text        NOT NULL,
  format            text        NOT NULL,
  discovered_via    text        NOT NULL,
  status            text        NOT NULL CHECK (status IN ('verified', 'invalid', 'unknown_key')),
  signer            text,
  reason            text,
  payload           jsonb,
  verified_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (subject_digest, signature_digest, layer_digest)
);

CREATE TABLE verdicts (
  id            text        NOT NULL UNIQUE,
  repository    text        NOT NULL,
  digest        text        NOT NULL,
  environment   text        NOT NULL,
  status        text        NOT NULL CHECK (status IN ('eligible', 'ineligible', 'pending')),
  reasons       jsonb       NOT NULL,
  rules_version text        NOT NULL,
  snapshot_id   integer,
  computed_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (repository, digest, environment)
);
CREATE INDEX verdicts_digest ON verdicts (digest);

CREATE TABLE verdict_changes (
  id            bigserial   PRIMARY KEY,
  repository    text        NOT NULL,
  digest        text        NOT NULL,
  environment   text        NOT NULL,
  old_status    text,
  new_status    text        NOT NULL,
  reasons       jsonb       NOT NULL,
  cause         text        NOT NULL,
  changed_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX verdict_changes_image ON verdict_changes (repository, digest);
