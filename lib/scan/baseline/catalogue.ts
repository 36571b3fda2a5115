/**
 * The configuration baseline: checks in the spirit of the CIS Docker
 * Benchmark's image section (4.x) and the best-known image linters
 * (hadolint, dockle). Ids are stable; rules require or waive them by id.
 */
import type { KnownSeverity } from '../../core/severity.js';

/** One check of the baseline. */
export interface BaselineCheck {
  id: string;
  title: string;
  severity: KnownSeverity;
  fix: string;
}

const check = (
  id: string,
  severity: KnownSeverity,
  title: string,
  fix: string,
): BaselineCheck => ({ id, title, severity, fix });

/** Every check, by id. */
export const BASELINE = {
  rootUser: check(
    'CUSTOMS-CFG-001',
    'high',
    'runs as root (no USER, or USER root/0)',
    'add `USER <non-root uid>` to the Dockerfile after installing packages (CIS 4.1)',
  ),
  noHealthcheck: check(
    'CUSTOMS-CFG-002',
    'low',
    'no HEALTHCHECK',
    'add a `HEALTHCHECK CMD …` that probes the service (CIS 4.6)',
  ),
  secretInEnv: check(
    'CUSTOMS-CFG-003',
    'critical',
    'secret in an ENV variable of the image config',
    'remove the secret from ENV and pass it at run time (mounted secret or environment), then rotate it (CIS 4.10)',
  ),
  secretInHistory: check(
    'CUSTOMS-CFG-004',
    'critical',
    'secret in the build history',
    'use build secrets (`RUN --mount=type=secret`) instead of ARG/ENV/command lines, rebuild, and rotate the secret (CIS 4.10)',
  ),
  addRemoteUrl: check(
    'CUSTOMS-CFG-005',
    'medium',
    'ADD of a remote URL',
    'download with a pinned checksum in a RUN step (or COPY a verified file) instead of `ADD <url>` (CIS 4.9)',
  ),
  setuid: check(
    'CUSTOMS-CFG-006',
    'medium',
    'setuid or setgid files',
    'remove the setuid/setgid bits (`chmod a-s`) of files that do not need them (CIS 4.8)',
  ),
  worldWritable: check(
    'CUSTOMS-CFG-007',
    'medium',
    'world-writable files',
    'remove write permission for others (`chmod o-w`) or own them by the runtime user',
  ),
  packageCache: check(
    'CUSTOMS-CFG-008',
    'low',
    'package-manager caches left in the image',
    'clean caches in the same RUN step that fills them (`rm -rf /var/lib/apt/lists/*`, `apk add --no-cache`, `npm cache clean --force`, `pip install --no-cache-dir`)',
  ),
  latestOnly: check(
    'CUSTOMS-CFG-009',
    'low',
    'only tagged `latest`',
    'tag each build with an immutable version (and deploy by digest)',
  ),
  missingAnnotation: check(
    'CUSTOMS-CFG-010',
    'medium',
    'OCI annotation the rules demand is missing',
    'set it at build time (`--annotation` / `LABEL org.opencontainers.image.source=…`)',
  ),
} as const;

/** Every check id (rules are validated against it). */
export const BASELINE_IDS: readonly string[] = Object.values(BASELINE).map(
  (c) => c.id,
);
