import { z } from 'zod';
import type { Advisory, AffectedPackage } from '../../core/advisory.js';
import { VulnDataError } from '../../core/errors.js';

/**
 * Alpine secdb (`https://secdb.alpinelinux.org/<branch>/<repo>.json`),
 * converted after osv.dev's Alpine records: for each package (an origin,
 * i.e. source, package) and each `secfixes` version V other than "0",
 * every id listed under V is fixed in V on that branch. "0" means the
 * branch was never affected: no entry.
 */

/** `Advisory.source` prefix; the branch and repository follow. */
export const ALPINE_SECDB_SOURCE = 'alpine-secdb';

/** `modified` of every record (secdb carries no dates). */
export const ALPINE_SECDB_MODIFIED = '1970-01-01T00:00:00Z';

const ID_SEPARATOR_RE = /\s+/;
const CVE_RE = /^CVE-\d{4}-\d+$/;

const secdbSchema = z.object({
  distroversion: z.string().min(1),
  reponame: z.string().min(1),
  packages: z.array(
    z.object({
      pkg: z.object({
        name: z.string().min(1),
        secfixes: z
          .record(z.string(), z.array(z.string()).nullable())
          .nullish(),
      }),
    }),
  ),
});

/** True when `json` looks like a secdb document. */
export function isAlpineSecdb(json: unknown): boolean {
  return (
    typeof json === 'object' &&
    json !== null &&
    'distroversion' in json &&
    'packages' in json
  );
}

/**
 * Converts one secdb document: one advisory per id (`ALPINE-<id>`, the
 * CVE in `aliases`), source `alpine-secdb/<branch>/<repo>` so that the
 * branches' records never overwrite each other, entries in ecosystem
 * `Alpine:<branch>` with an `introduced: "0"`, `fixed: V` range per fix.
 * Throws VulnDataError('ADVISORY_INVALID') when the document is malformed.
 */
export function parseAlpineSecdb(json: unknown): Advisory[] {
  const parsed = secdbSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new VulnDataError(
      'ADVISORY_INVALID',
      `invalid Alpine secdb document: ${issue?.path.join('.') ?? ''}: ${issue?.message ?? ''}`,
    );
  }
  const doc = parsed.data;
  const source = `${ALPINE_SECDB_SOURCE}/${doc.distroversion}/${doc.reponame}`;
  const ecosystem = `Alpine:${doc.distroversion}`;
  const byId = new Map<string, Map<string, string[]>>();
  for (const { pkg } of doc.packages) {
    for (const [fixed, ids] of Object.entries(pkg.secfixes ?? {})) {
      if (fixed === '0') continue;
      for (const id of (ids ?? []).flatMap((i) =>
        i.trim().split(ID_SEPARATOR_RE),
      )) {
        if (id === '') continue;
        const fixes = byId.get(id) ?? new Map<string, string[]>();
        fixes.set(pkg.name, [...(fixes.get(pkg.name) ?? []), fixed]);
        byId.set(id, fixes);
      }
    }
  }
  return [...byId].map(([id, fixes]) =>
    toAdvisory(id, fixes, source, ecosystem),
  );
}

function toAdvisory(
  id: string,
  fixes: Map<string, string[]>,
  source: string,
  ecosystem: string,
): Advisory {
  const affected: AffectedPackage[] = [...fixes].map(([name, versions]) => ({
    ecosystem,
    name,
    ranges: versions.map((fixed) => ({
      type: 'ECOSYSTEM' as const,
      events: [{ introduced: '0' }, { fixed }],
    })),
    versions: [],
  }));
  return {
    id: id.startsWith('ALPINE-') ? id : `ALPINE-${id}`,
    source,
    modified: ALPINE_SECDB_MODIFIED,
    aliases: CVE_RE.test(id) ? [id] : [],
    related: [],
    severity: [],
    affected,
  };
}
