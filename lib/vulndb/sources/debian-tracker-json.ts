import { z } from 'zod';
import type { Advisory, AffectedPackage } from '../../core/advisory.js';
import { VulnDataError } from '../../core/errors.js';
import {
  DEBIAN_RELEASES,
  DEBIAN_TRACKER_MODIFIED,
  DEBIAN_TRACKER_SOURCE,
  type TrackerWarning,
} from './debian-tracker.js';

/**
 * The Debian security tracker's JSON export
 * (https://security-tracker.debian.org/tracker/data/json):
 * `{ <source package>: { <CVE or TEMP id>: { description, scope, debianbug,
 * releases: { <codename>: { status, fixed_version, urgency, repositories,
 * nodsa, nodsa_reason } } } } }`, converted to the same records as the
 * `data/CVE/list` format (`DEBIAN-CVE-…`, one entry per source package and
 * covered release), so either export may be imported.
 */

const ISSUE_RE = /^(?:CVE-\d{4}-\d+|TEMP-\d+-[0-9A-Fa-f]+)$/;
/** Urgency the tracker shows before anyone assessed the issue. */
const UNASSIGNED_URGENCY = 'not yet assigned';

const releaseSchema = z.object({
  status: z.enum(['resolved', 'open', 'undetermined']),
  fixed_version: z.string().optional(),
  urgency: z.string().optional(),
  nodsa: z.string().optional(),
  nodsa_reason: z.string().optional(),
  repositories: z.record(z.string(), z.string()).optional(),
});
const issueSchema = z.object({
  description: z.string().optional(),
  releases: z.record(z.string(), z.unknown()),
});

type Release = z.infer<typeof releaseSchema>;

/** True when `json` looks like the export: package -> issue -> `releases`. */
export function isDebianTrackerJson(json: unknown): boolean {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return false;
  }
  const firstPackage: unknown = Object.values(json)[0];
  if (typeof firstPackage !== 'object' || firstPackage === null) return false;
  const firstIssue: unknown = Object.values(firstPackage)[0];
  return (
    typeof firstIssue === 'object' &&
    firstIssue !== null &&
    'releases' in firstIssue
  );
}

/**
 * Converts the export. Per covered release (`options.releases`, default
 * bookworm=12 …): `resolved` with a version -> fixed there; `resolved`
 * with version `0` -> not affected (no entry); `open` -> no fix (status
 * `no-dsa` with the `nodsa_reason` as note when the tracker marks it so,
 * else `unfixed`); `undetermined` -> status `undetermined`. The urgency is
 * kept unless "not yet assigned". Malformed issues become warnings
 * (`line` is 0: the export has no lines); throws VulnDataError when the
 * document is not an object.
 */
export function parseDebianTrackerJson(
  json: unknown,
  options: { releases?: Record<string, string> } = {},
): { advisories: Advisory[]; warnings: TrackerWarning[] } {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new VulnDataError(
      'ADVISORY_INVALID',
      'the Debian tracker JSON export must be an object of source packages',
    );
  }
  const releases = options.releases ?? DEBIAN_RELEASES;
  const warnings: TrackerWarning[] = [];
  const byIssue = new Map<string, Advisory>();
  for (const [pkg, issues] of Object.entries(json)) {
    if (typeof issues !== 'object' || issues === null) {
      warnings.push({ line: 0, message: `${pkg}: not an object of issues` });
      continue;
    }
    for (const [issue, body] of Object.entries(issues as object)) {
      addIssue(byIssue, { pkg, issue, body, releases }, warnings);
    }
  }
  return { advisories: [...byIssue.values()], warnings };
}

function addIssue(
  byIssue: Map<string, Advisory>,
  input: {
    pkg: string;
    issue: string;
    body: unknown;
    releases: Record<string, string>;
  },
  warnings: TrackerWarning[],
): void {
  const { pkg, issue } = input;
  const parsed = issueSchema.safeParse(input.body);
  if (!ISSUE_RE.test(issue) || !parsed.success) {
    warnings.push({ line: 0, message: `${pkg} ${issue}: not a tracker issue` });
    return;
  }
  const advisory = byIssue.get(issue) ?? newAdvisory(issue, parsed.data);
  byIssue.set(issue, advisory);
  for (const [codename, number] of Object.entries(input.releases)) {
    const raw = parsed.data.releases[codename];
    if (raw === undefined) continue;
    const release = releaseSchema.safeParse(raw);
    if (!release.success) {
      warnings.push({
        line: 0,
        message: `${pkg} ${issue} ${codename}: ${release.error.issues[0]?.message ?? 'invalid'}`,
      });
      continue;
    }
    const entry = entryOf(pkg, `Debian:${number}`, release.data);
    if (entry !== undefined) advisory.affected.push(entry);
  }
}

function newAdvisory(
  issue: string,
  body: z.infer<typeof issueSchema>,
): Advisory {
  return {
    id: `DEBIAN-${issue}`,
    source: DEBIAN_TRACKER_SOURCE,
    modified: DEBIAN_TRACKER_MODIFIED,
    aliases: [issue],
    related: [],
    summary: body.description,
    severity: [],
    affected: [],
  };
}

function entryOf(
  pkg: string,
  ecosystem: string,
  r: Release,
): AffectedPackage | undefined {
  const fixed = r.status === 'resolved' ? r.fixed_version : undefined;
  if (fixed === '0') return undefined;
  const databaseSpecific: Record<string, unknown> = { status: statusOf(r) };
  if (r.urgency !== undefined && r.urgency !== UNASSIGNED_URGENCY) {
    databaseSpecific['urgency'] = r.urgency;
  }
  if (r.nodsa_reason) databaseSpecific['note'] = r.nodsa_reason;
  return {
    ecosystem,
    name: pkg,
    ranges: [
      {
        type: 'ECOSYSTEM',
        events:
          fixed === undefined
            ? [{ introduced: '0' }]
            : [{ introduced: '0' }, { fixed }],
      },
    ],
    versions: [],
    databaseSpecific,
  };
}

function statusOf(r: Release): string {
  if (r.status === 'undetermined') return 'undetermined';
  if (r.status === 'resolved') return r.fixed_version ? 'fixed' : 'unfixed';
  return r.nodsa !== undefined ? 'no-dsa' : 'unfixed';
}
