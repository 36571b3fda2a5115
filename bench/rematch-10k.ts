/**
 * Re-evaluation after a data import, at scale: 10,000 stored images whose
 * package lists are drawn from the real test images (Debian minbase, the
 * npm + Python app), on PostgreSQL. One import changes 100 advisories;
 * the time runs from the start of that import to the moment every
 * affected verdict is stored. Baseline measured in the same run: the
 * per-image path (matchImage + judgeImage for every image, what a re-match
 * did before), on a sample, extrapolated to all images. Also: import
 * throughput on shared/data/osv and on a large synthetic set, against
 * parsing the same data without a database. Prints JSON.
 *
 *   npx tsx bench/rematch-10k.ts [--images 10000] [--changes 100] [--sample 300]
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createLogger } from '../lib/log/create-logger.js';
import { judgeImage, type JudgeDeps } from '../lib/policy/judge.js';
import { parseRules } from '../lib/policy/rules.js';
import { rematchStoredImages, tidyAfterRematch } from '../lib/scan/rematch.js';
import type { Database } from '../lib/storage/database.js';
import { migrate } from '../lib/storage/postgres/migrate.js';
import { openPgDatabase } from '../lib/storage/postgres/pg-database.js';
import { createStores } from '../lib/storage/postgres/stores.js';
import type { Stores } from '../lib/storage/ports.js';
import { importVulnData } from '../lib/vulndb/import.js';
import {
  matchImage,
  matchPackages,
  packageKeys,
  distinctKeys,
} from '../lib/vulndb/match-image.js';
import { readInput } from '../lib/vulndb/read-input.js';
import { createTestDatabase } from '../test/helpers/postgres.js';
import { digestOf, storeScannedImage } from '../test/helpers/stored-images.js';
import {
  changeAdvisories,
  cloneRecords,
  lookupKeysOf,
  realPackages,
  rng,
  syntheticPackageLists,
  writeOsvFeed,
} from './rematch-data.js';

const { values } = parseArgs({
  options: {
    images: { type: 'string', default: '10000' },
    changes: { type: 'string', default: '100' },
    sample: { type: 'string', default: '300' },
    copies: { type: 'string', default: '12' },
  },
});
const IMAGES = Number(values.images);
const CHANGES = Number(values.changes);
const SAMPLE = Number(values.sample);
const SHARED = new URL('../../shared/data/', import.meta.url).pathname;
/** The OSV feed the benchmark imports, then changes and imports again. */
const FEED = join(tmpdir(), `customs-bench-feed-${process.pid}`);
const RULES = `
version: 1
environments:
  dev: { vulnerabilities: { maxSeverity: critical } }
  test: { vulnerabilities: { maxSeverity: high, countUnfixed: false } }
  prod: { vulnerabilities: { maxSeverity: medium, unknownSeverityAs: high } }
`;
const logger = createLogger({ level: 'silent' });
const seconds = (ms: number) => Math.round(ms) / 1000;

/**
 * CPU seconds used so far by this process and by the database's server
 * processes (read from /proc): a cost that does not depend on how busy
 * the shared machine is, unlike wall-clock time.
 */
async function cpuSeconds(
  db: Database,
): Promise<{ node: number; postgres: number }> {
  const usage = process.cpuUsage();
  const { rows } = await db.query<{ pid: number }>(
    'SELECT pid FROM pg_stat_activity WHERE datname = current_database()',
  );
  const ticks = await Promise.all(
    rows.map(async ({ pid }) => {
      try {
        const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        return Number(fields[11]) + Number(fields[12]); // utime + stime
      } catch {
        return 0; // not on this machine (DATABASE_URL elsewhere)
      }
    }),
  );
  return {
    node: (usage.user + usage.system) / 1e6,
    postgres: ticks.reduce((a, b) => a + b, 0) / CLOCK_TICKS,
  };
}

const CLOCK_TICKS = 100;

async function withDatabase<T>(
  fn: (stores: Stores, db: Database) => Promise<T>,
): Promise<T> {
  const target = await createTestDatabase();
  const db = await openPgDatabase({ url: target.url, poolSize: 10 });
  try {
    await migrate(db);
    return await fn(createStores(db), db);
  } finally {
    await db.close();
    await target.drop();
  }
}

/** Import throughput on `inputs`, and the parse-only baseline. */
async function throughput(inputs: string[]): Promise<Record<string, number>> {
  let parsed = 0;
  const parseStart = performance.now();
  for (const input of inputs)
    for await (const item of readInput(input)) if ('advisory' in item) parsed++;
  const parseMs = performance.now() - parseStart;
  return withDatabase(async (stores) => {
    const result = await importVulnData(stores.vulns, inputs, { logger });
    return {
      advisories: result.read,
      importSeconds: seconds(result.durationMs),
      advisoriesPerSecond: Math.round(result.read / (result.durationMs / 1000)),
      parseOnlyPerSecond: Math.round(parsed / (parseMs / 1000)),
      ratioImportToParseOnly:
        Math.round((parseMs / result.durationMs) * 100) / 100,
    };
  });
}

async function storeImages(
  stores: Stores,
  lists: Awaited<ReturnType<typeof syntheticPackageLists>>,
) {
  const started = performance.now();
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < lists.length; i = next++) {
      await storeScannedImage(stores, {
        repository: `bench/team-${i % 50}`,
        digest: digestOf(`bench-image-${i}`),
        packages: lists[i]!,
      });
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return performance.now() - started;
}

/** The findings each sampled image has equal a fresh full match, and judging again changes nothing. */
async function verify(
  stores: Stores,
  judge: JudgeDeps,
  lists: ReturnType<typeof syntheticPackageLists>,
) {
  const random = rng(7);
  let checked = 0;
  let mismatches = 0;
  for (let k = 0; k < 25; k++) {
    const i = Math.floor(random() * lists.length);
    const digest = digestOf(`bench-image-${i}`);
    const packages = await stores.scans.packages(digest);
    const advisories = await stores.vulns.advisoriesFor(
      distinctKeys(packageKeys(packages)),
    );
    const fresh = matchPackages(packages, advisories)
      .map((f) => `${f.advisoryId} ${f.packageName} ${f.severity}`)
      .sort();
    const stored = (await stores.findings.list(digest))
      .map((f) => `${f.advisoryId} ${f.packageName} ${f.severity}`)
      .sort();
    const changes = await judgeImage(
      judge,
      { repository: `bench/team-${i % 50}`, digest },
      'verify',
    );
    if (JSON.stringify(fresh) !== JSON.stringify(stored) || changes.length > 0)
      mismatches++;
    checked++;
  }
  return { checked, mismatches };
}

/**
 * The previous way of re-matching (matchImage + judgeImage per stored
 * image, every image), timed on the first `count` images: ms per image.
 */
async function baselinePerImageMs(
  stores: Stores,
  judge: JudgeDeps,
  count: number,
): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    const digest = digestOf(`bench-image-${i}`);
    await matchImage(stores, digest);
    await judgeImage(
      judge,
      { repository: `bench/team-${i % 50}`, digest },
      'baseline',
    );
  }
  return (performance.now() - started) / count;
}

/**
 * One import that changes advisories (`change` edits the feed), then the
 * re-match: wall time, and CPU time of this process and the database.
 */
async function importAndRematch(
  stores: Stores,
  db: Database,
  judge: JudgeDeps,
  change: () => Promise<{ ids: string[]; relevant: number }>,
): Promise<{ totalMs: number; report: Record<string, unknown> }> {
  const changed = await change();
  const feed = (await stores.vulns.summary()).snapshotId;
  const cpuBefore = await cpuSeconds(db);
  const started = performance.now();
  const imported = await importVulnData(stores.vulns, [FEED], { logger });
  const rematched = await rematchStoredImages(
    { stores, judge, logger },
    'bench import',
    AbortSignal.timeout(3_600_000),
  );
  const totalMs = performance.now() - started;
  const cpuAfter = await cpuSeconds(db);
  // As the re-match job does once the verdicts are stored (not timed).
  await tidyAfterRematch({ stores, logger }, rematched);
  const cpu = (k: 'node' | 'postgres') =>
    Math.round((cpuAfter[k] - cpuBefore[k]) * 100) / 100;
  return {
    totalMs,
    report: {
      changedAdvisories: changed.ids.length,
      changedAdvisoriesNamingImagePackages: changed.relevant,
      previousSnapshot: feed,
      import: {
        ...imported.counts,
        changedPackages: imported.changedPackages,
        seconds: seconds(imported.durationMs),
      },
      rematch: {
        imagesConsidered: rematched.images,
        imagesWithChangedFindings: rematched.changedImages,
        verdictsStored: rematched.verdicts,
        verdictChanges: rematched.verdictChanges,
        seconds: seconds(rematched.durationMs),
      },
      importToVerdictsSeconds: seconds(totalMs),
      importToVerdictsCpuSeconds: {
        node: cpu('node'),
        postgres: cpu('postgres'),
      },
      loadAverage1m: Math.round((loadavg()[0] ?? 0) * 100) / 100,
      cores: cpus().length,
    },
  };
}

async function rematchBench(): Promise<Record<string, unknown>> {
  try {
    return await withDatabase(async (stores, db) => {
      const judge: JudgeDeps = {
        stores,
        rules: () => parseRules(RULES, () => ''),
        logger,
      };
      const advisories = await writeOsvFeed(
        [
          'raw/debian-security-tracker',
          'osv/ghsa',
          'osv/pypi',
          'osv/go',
          'raw/nodejs-security-wg/vuln/npm',
        ].map((p) => SHARED + p),
        FEED,
      );
      await importVulnData(stores.vulns, [FEED], { logger });
      const lists = syntheticPackageLists(IMAGES, await realPackages());
      const storeMs = await storeImages(stores, lists);
      const signal = AbortSignal.timeout(3_600_000);
      const initial = await rematchStoredImages(
        { stores, judge, logger },
        'initial',
        signal,
      );
      await tidyAfterRematch({ stores, logger }, initial);

      const keys = lookupKeysOf(lists);
      // A realistic mix first: a tenth of the changes concern the images.
      const typical = await importAndRematch(stores, db, judge, () =>
        changeAdvisories(FEED, advisories, {
          imageKeys: keys,
          count: CHANGES,
          pick: 'mix',
          random: rng(99),
        }),
      );
      const worst = await importAndRematch(stores, db, judge, () =>
        changeAdvisories(FEED, advisories, {
          imageKeys: keys,
          count: CHANGES,
          pick: 'worst',
          random: rng(1),
        }),
      );
      const sample = Math.min(SAMPLE, lists.length);
      const perImageMs = await baselinePerImageMs(stores, judge, sample);
      const baselineMs = perImageMs * IMAGES;
      return {
        images: IMAGES,
        packagesStored: lists.reduce((n, l) => n + l.length, 0),
        storeImagesSeconds: seconds(storeMs),
        initialFullMatch: {
          images: initial.images,
          verdicts: initial.verdicts,
          seconds: seconds(initial.durationMs),
        },
        typicalImport: typical.report,
        worstCaseImport: worst.report,
        targetSeconds: 10,
        baseline: {
          what: 'matchImage + judgeImage per image (the previous re-match), on a sample, extrapolated',
          sampleImages: sample,
          perImageMs: Math.round(perImageMs * 100) / 100,
          extrapolatedSeconds: seconds(baselineMs),
        },
        ratioBaselineToWorstCase:
          Math.round((baselineMs / worst.totalMs) * 10) / 10,
        ratioBaselineToTypical:
          Math.round((baselineMs / typical.totalMs) * 10) / 10,
        verification: await verify(stores, judge, lists),
      };
    });
  } finally {
    await rm(FEED, { recursive: true, force: true });
  }
}

async function throughputBench(): Promise<Record<string, unknown>> {
  const work = await mkdtemp(join(tmpdir(), 'customs-bench-import-'));
  try {
    const large = join(work, 'large');
    await cloneRecords(join(SHARED, 'osv'), large, Number(values.copies));
    return {
      sharedOsv: await throughput([join(SHARED, 'osv')]),
      largeSynthetic: await throughput([large]),
    };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

const result = {
  benchmark: 'rematch-10k',
  database: 'PostgreSQL (127.0.0.1:5432 or DATABASE_URL)',
  rematch: await rematchBench(),
  importThroughput: await throughputBench(),
};
console.log(JSON.stringify(result, null, 2));
