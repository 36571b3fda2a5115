-- When each finding of an image was first seen, and first seen with a fix
-- available: the clock of the rule `vulnerabilities.maxFixableDays`. Kept
-- apart from `findings`, which every match rewrites (delete + insert), so
-- that re-matching never resets it; written by the same statement that
-- inserts findings. Keyed by the image, the advisory and the exact package
-- version. A finding that disappears and comes back keeps its first time.
CREATE TABLE finding_first_seen (
  image_digest        text        NOT NULL,
  advisory_id         text        NOT NULL,
  ecosystem           text        NOT NULL,
  package_name        text        NOT NULL,
  package_version     text        NOT NULL,
  first_seen_at       timestamptz NOT NULL DEFAULT now(),
  fix_available_since timestamptz,
  PRIMARY KEY (image_digest, advisory_id, ecosystem, package_name, package_version)
);
-- The expiry timer looks up the next fix to pass a limit.
CREATE INDEX finding_first_seen_fix ON finding_first_seen (fix_available_since)
  WHERE fix_available_since IS NOT NULL;

-- Findings stored before this table existed: when they were first seen is
-- not known, so their clock starts now.
INSERT INTO finding_first_seen
  (image_digest, advisory_id, ecosystem, package_name, package_version, fix_available_since)
SELECT image_digest, advisory_id, ecosystem, package_name, package_version,
  CASE WHEN bool_or(fixed_version IS NOT NULL) THEN now() END
FROM findings
GROUP BY image_digest, advisory_id, ecosystem, package_name, package_version;

-- The expiry timer looks up the next scan to pass `maxScanAgeHours`.
CREATE INDEX scans_done_finished_at ON scans (finished_at) WHERE status = 'done';
