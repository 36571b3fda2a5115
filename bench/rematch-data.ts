/**
 * Data of the re-evaluation benchmark: an OSV JSON feed built from the
 * shared data, synthetic images whose package lists are drawn from the
 * real test images, and the change of N advisories.
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Advisory } from '../lib/core/advisory.js';
import type { ImagePackage } from '../lib/core/package.js';
import { lookupKeyFor } from '../lib/vulndb/match.js';
import { normalizePackageName } from '../lib/vulndb/names.js';
import { readInput } from '../lib/vulndb/read-input.js';
import {
  debianMinbasePackages,
  languagePackage,
} from '../test/helpers/stored-images.js';

const SHARED = new URL('../../shared/', import.meta.url).pathname;
/** The committed copy of make-test-images.sh's expected-contents.json. */
const EXPECTED_CONTENTS = join(SHARED, 'scripts/expected-contents.json');
const CRITICAL_V3 = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H';

/** A deterministic pseudo-random source (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The packages of the real test images: Debian minbase, app npm + PyPI. */
export async function realPackages(): Promise<{
  debian: ImagePackage[];
  app: ImagePackage[];
}> {
  const expected = JSON.parse(await readFile(EXPECTED_CONTENTS, 'utf8')) as {
    images: {
      app: { packages: { npm: NameVersion[]; python: NameVersion[] } };
    };
  };
  const { npm, python } = expected.images.app.packages;
  return {
    debian: debianMinbasePackages(),
    app: [
      ...npm.map((p) => languagePackage('npm', p.name, p.version)),
      ...python.map((p) => languagePackage('PyPI', p.name, p.version)),
    ],
  };
}

interface NameVersion {
  name: string;
  version: string;
}

/**
 * `count` package lists: each real Debian package with probability 0.85,
 * each app package with probability 0.5 (a third of the images are
 * Debian-only, another third app-only with busybox's single layer).
 */
export function syntheticPackageLists(
  count: number,
  real: { debian: ImagePackage[]; app: ImagePackage[] },
  seed = 20261122,
): ImagePackage[][] {
  const random = rng(seed);
  return Array.from({ length: count }, (_, i) => {
    const kind = i % 3;
    const debian = kind === 2 ? [] : real.debian.filter(() => random() < 0.85);
    const app = kind === 1 ? [] : real.app.filter(() => random() < 0.5);
    return [...debian, ...app];
  });
}

/**
 * Writes every record of `inputs` (any format readInput knows) as one OSV
 * JSON file in `dir`: the feed the benchmark imports and then changes.
 */
export async function writeOsvFeed(
  inputs: string[],
  dir: string,
): Promise<Advisory[]> {
  await mkdir(dir, { recursive: true });
  const advisories = new Map<string, Advisory>();
  for (const input of inputs) {
    for await (const item of readInput(input)) {
      if ('advisory' in item) advisories.set(item.advisory.id, item.advisory);
    }
  }
  for (const a of advisories.values()) await writeRecord(dir, a);
  return [...advisories.values()];
}

/**
 * Changes `count` advisories of the feed. `worst`: first every advisory
 * naming a package of the images, then others; `mix`: a tenth of them
 * naming an image package, drawn with `random`, the rest others. An
 * advisory naming an image package is withdrawn (entries dropped) or
 * rated critical (a CVSS vector), in turn; another gets a summary edit.
 * Returns the ids changed and how many name an image package.
 */
export async function changeAdvisories(
  dir: string,
  advisories: Advisory[],
  change: {
    imageKeys: Set<string>;
    count: number;
    pick: 'worst' | 'mix';
    random: () => number;
  },
): Promise<{ ids: string[]; relevant: number }> {
  const names = (a: Advisory) =>
    a.affected.some((e) =>
      change.imageKeys.has(
        `${e.ecosystem}\u0000${normalizePackageName(e.ecosystem, e.name)}`,
      ),
    );
  const live = advisories.filter((a) => a.withdrawn === undefined);
  const shuffled = [...live].sort(() => change.random() - 0.5);
  const hits = shuffled.filter(names);
  const others = shuffled.filter((a) => !names(a));
  const wanted =
    change.pick === 'worst' ? change.count : Math.ceil(change.count / 10);
  const first = hits.slice(0, wanted);
  const picked = [...first, ...others.slice(0, change.count - first.length)];
  let relevant = 0;
  for (const a of picked) {
    if (names(a)) {
      if (relevant++ % 2 === 0) a.affected = [];
      else a.severity = [{ type: 'CVSS_V3', score: CRITICAL_V3 }];
    } else {
      a.summary = `${a.summary ?? ''} (revised)`;
    }
    await writeRecord(dir, a);
  }
  return { ids: picked.map((a) => a.id), relevant };
}

/** The (ecosystem, lookup name) keys of the package lists. */
export function lookupKeysOf(lists: ImagePackage[][]): Set<string> {
  const keys = new Set<string>();
  for (const list of lists) {
    for (const p of list) {
      const k = lookupKeyFor(p);
      keys.add(`${k.ecosystem}\u0000${k.name}`);
    }
  }
  return keys;
}

/** Copies of every shared OSV record under new ids, `copies` times over. */
export async function cloneRecords(
  source: string,
  dir: string,
  copies: number,
): Promise<number> {
  await mkdir(dir, { recursive: true });
  let n = 0;
  const records: Array<Record<string, unknown>> = [];
  for (const sub of await readdir(source, { recursive: true })) {
    if (!sub.endsWith('.json') || sub.includes('malicious')) continue;
    records.push(
      JSON.parse(await readFile(join(source, sub), 'utf8')) as Record<
        string,
        unknown
      >,
    );
  }
  for (let c = 0; c < copies; c++) {
    for (const r of records) {
      const id = `${String(r['id'])}-COPY${c}`;
      await writeFile(
        join(dir, `${id.replace(/[:/]/g, '_')}.json`),
        JSON.stringify({ ...r, id }),
      );
      n++;
    }
  }
  return n;
}

async function writeRecord(dir: string, a: Advisory): Promise<void> {
  const record = {
    schema_version: '1.7.0',
    id: a.id,
    modified: a.modified,
    published: a.published,
    withdrawn: a.withdrawn,
    aliases: a.aliases,
    related: a.related,
    summary: a.summary,
    details: a.details,
    severity: a.severity,
    affected: a.affected.map((e) => ({
      package: { ecosystem: e.ecosystem, name: e.name, purl: e.purl },
      // The model keeps no GIT `repo`; installed packages have no commits.
      ranges: e.ranges.filter((r) => r.type !== 'GIT'),
      versions: e.versions,
      database_specific: e.databaseSpecific,
      ecosystem_specific: e.ecosystemSpecific,
      severity: e.severity,
    })),
    database_specific: a.databaseSpecific,
  };
  await writeFile(
    join(dir, `${a.id.replace(/[:/]/g, '_')}.json`),
    JSON.stringify(record),
  );
}
