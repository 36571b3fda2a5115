import { z } from 'zod';
import type { Advisory, AdvisorySeverity } from '../../core/advisory.js';
import { messageOf, VulnDataError } from '../../core/errors.js';
import { semverRangeToOsv } from './semver-range.js';

/**
 * Node.js Security WG advisories (nodejs/security-wg `vuln/npm/*.json`,
 * the former nodesecurity.io database, and `vuln/core/*.json` for the
 * runtime), converted to the OSV model.
 */

/** `Advisory.source` of these records. */
export const NODEJS_WG_SOURCE = 'nodejs-security-wg';

/**
 * Ecosystem of the Node.js runtime's own advisories: OSV defines none, so
 * a detector that finds a `node` binary reports it as
 * `{ ecosystem: 'Node.js', name: 'node' }` to be matched against them.
 */
export const NODE_RUNTIME = { ecosystem: 'Node.js', name: 'node' } as const;

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;
const CVSS3_RE = /^CVSS:3\.[01]\//;
const CORE_FILE_RE = /(?:^|[\\/])(\d+)\.json$/;
const CORE_KEY_RE = /^\d+$/;

const npmSchema = z.object({
  id: z.union([z.number().int(), z.string().min(1)]),
  module_name: z.string().min(1),
  vulnerable_versions: z.string().min(1),
  cves: z.array(z.string()).nullish(),
  title: z.string().nullish(),
  overview: z.string().nullish(),
  created_at: z.string().nullish(),
  updated_at: z.string().nullish(),
  publish_date: z.string().nullish(),
  cvss_vector: z.string().nullish(),
});

const coreSchema = z.object({
  cve: z.array(z.string()).nullish(),
  vulnerable: z.string().min(1),
  overview: z.string().nullish(),
  severity: z.string().nullish(),
});

/** True when `json` looks like a `vuln/npm/*.json` advisory. */
export function isNodejsNpmAdvisory(json: unknown): boolean {
  return hasKeys(json, ['module_name', 'vulnerable_versions']);
}

/** True when `json` looks like a `vuln/core/*.json` advisory. */
export function isNodejsCoreAdvisory(json: unknown): boolean {
  return hasKeys(json, ['vulnerable', 'cve']);
}

/**
 * Converts one npm advisory: id `NSWG-ECO-<id>`, the package's
 * `vulnerable_versions` as SEMVER ranges (see semverRangeToOsv), its CVSS
 * v3 vector as severity. Throws VulnDataError('ADVISORY_INVALID').
 */
export function parseNodejsNpmAdvisory(json: unknown): Advisory {
  const r = validate(npmSchema, json, 'npm advisory');
  const id = `NSWG-ECO-${r.id}`;
  const severity: AdvisorySeverity[] =
    r.cvss_vector && CVSS3_RE.test(r.cvss_vector)
      ? [{ type: 'CVSS_V3', score: r.cvss_vector }]
      : [];
  return {
    id,
    source: NODEJS_WG_SOURCE,
    modified: dateTime(r.updated_at ?? r.created_at),
    published: r.publish_date ? dateTime(r.publish_date) : undefined,
    aliases: r.cves ?? [],
    related: [],
    summary: r.title ?? undefined,
    details: r.overview ?? undefined,
    severity,
    affected: [
      {
        ecosystem: 'npm',
        name: r.module_name,
        ranges: rangesOf(id, r.vulnerable_versions),
        versions: [],
      },
    ],
  };
}

/** True when `json` is `vuln/core/index.json`: number -> core advisory. */
export function isNodejsCoreIndex(json: unknown): boolean {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return false;
  }
  const entries = Object.entries(json);
  return (
    entries.length > 0 &&
    entries.every(([k, v]) => CORE_KEY_RE.test(k) && isNodejsCoreAdvisory(v))
  );
}

/** Every advisory of `vuln/core/index.json` (see parseNodejsCoreAdvisory). */
export function parseNodejsCoreIndex(json: unknown): Advisory[] {
  return Object.entries(json as Record<string, unknown>).map(([n, advisory]) =>
    coreAdvisory(advisory, n),
  );
}

/**
 * Converts one runtime advisory: id `NSWG-COR-<n>` from the file name
 * (`vuln/core/<n>.json`), affecting {@link NODE_RUNTIME}; its severity
 * word is kept as `database_specific.severity`.
 */
export function parseNodejsCoreAdvisory(json: unknown, file: string): Advisory {
  const n = CORE_FILE_RE.exec(file)?.[1];
  if (n === undefined) {
    throw new VulnDataError(
      'ADVISORY_INVALID',
      `${file}: a core advisory's file name must be <number>.json`,
    );
  }
  return coreAdvisory(json, n);
}

function coreAdvisory(json: unknown, n: string): Advisory {
  const r = validate(coreSchema, json, 'core advisory');
  const id = `NSWG-COR-${n}`;
  return {
    id,
    source: NODEJS_WG_SOURCE,
    modified: '1970-01-01T00:00:00Z',
    aliases: r.cve ?? [],
    related: [],
    details: r.overview ?? undefined,
    severity: [],
    affected: [
      {
        ...NODE_RUNTIME,
        ranges: rangesOf(id, r.vulnerable),
        versions: [],
      },
    ],
    databaseSpecific: r.severity ? { severity: r.severity } : undefined,
  };
}

function rangesOf(id: string, expression: string) {
  try {
    return semverRangeToOsv(expression);
  } catch (err: unknown) {
    throw new VulnDataError(
      'ADVISORY_INVALID',
      `${id}: invalid version range ${JSON.stringify(expression)}: ${messageOf(err)}`,
      { cause: err },
    );
  }
}

function validate<T>(schema: z.ZodType<T>, json: unknown, what: string): T {
  const result = schema.safeParse(json);
  if (result.success) return result.data;
  const issues = result.error.issues
    .slice(0, 3)
    .map((i) => `${i.path.join('.') || '(record)'}: ${i.message}`);
  throw new VulnDataError(
    'ADVISORY_INVALID',
    `invalid Node.js security-wg ${what}: ${issues.join('; ')}`,
  );
}

/** `2016-04-28` -> `2016-04-28T00:00:00Z`; anything else as the epoch. */
function dateTime(date: string | null | undefined): string {
  return date && DATE_RE.test(date)
    ? `${date}T00:00:00Z`
    : '1970-01-01T00:00:00Z';
}

function hasKeys(json: unknown, keys: readonly string[]): boolean {
  return (
    typeof json === 'object' &&
    json !== null &&
    !Array.isArray(json) &&
    keys.every((k) => Object.hasOwn(json, k))
  );
}
