/**
 * `importVulnData` on the real shared data, into a real (embedded)
 * PostgreSQL: every source, re-import, withdrawals, malformed records,
 * damaged archives and mirror URLs.
 */
import {
  cp,
  mkdir,
  mkdtemp,
  readFile,
  rm,
  stat,
  truncate,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../lib/log/create-logger.js';
import type { Database } from '../../lib/storage/database.js';
import { migrate } from '../../lib/storage/postgres/migrate.js';
import { openPgliteDatabase } from '../../lib/storage/postgres/pglite-database.js';
import { createStores } from '../../lib/storage/postgres/stores.js';
import type { Stores } from '../../lib/storage/ports.js';
import { importVulnData } from '../../lib/vulndb/import.js';
import { zipDirectory } from '../helpers/osv-zip.js';

const data = (p: string) =>
  new URL(`../../../shared/data/${p}`, import.meta.url).pathname;
const logger = createLogger({ level: 'silent' });

describe('importVulnData', () => {
  let db: Database;
  let stores: Stores;
  let work: string;
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'customs-import-'));
    db = (await openPgliteDatabase(undefined)).database;
    await migrate(db);
    stores = createStores(db);
  });
  afterAll(async () => {
    await db.close();
    await rm(work, { recursive: true, force: true });
  });

  const ids = async (ecosystem: string, name: string) =>
    (await stores.vulns.advisoriesFor([{ ecosystem, name }])).map((a) => a.id);

  it('imports every source, and a re-import changes nothing', async () => {
    const paths = [
      data('raw/debian-security-tracker'),
      data('raw/alpine-secdb'),
      data('raw/nodejs-security-wg'),
      data('osv/ghsa'),
      data('osv/malicious'),
    ];
    const first = await importVulnData(stores.vulns, paths, {
      logger,
      batchSize: 7,
    });
    expect(first.warnings).toEqual([]);
    // 45 tracker entries, 273 secdb records, 378 npm + 171 core (index and
    // files carry the same core records), 8 GHSA, 13 malicious.
    expect(first.counts).toEqual({
      added: 45 + 273 + 378 + 171 + 8 + 13,
      changed: 0,
      unchanged: 0,
      withdrawn: 0,
      skipped: 0,
    });
    expect(first.feeds.map((f) => [f.feed, f.added])).toEqual([
      [paths[0], 45],
      [paths[1], 273],
      [paths[2], 549],
      [paths[3], 8],
      [paths[4], 13],
    ]);
    const again = await importVulnData(stores.vulns, paths, { logger });
    expect(again.counts).toMatchObject({ added: 0, changed: 0, withdrawn: 0 });
    expect(again.counts.unchanged).toBe(first.counts.added);
    expect(again.changedPackages).toBe(0);
    expect(again.snapshotId).toBe(first.snapshotId + 1);
    expect(await stores.vulns.currentSnapshot()).toBe(again.snapshotId);
    expect(await ids('Debian:12', 'zlib')).toContain('DEBIAN-CVE-2023-45853');
    expect(await ids('Alpine:v3.19', 'apk-tools')).toContain(
      'ALPINE-CVE-2021-30139',
    );
    expect(await ids('npm', 'lodash')).toContain('NSWG-ECO-516');
    expect(await ids('Node.js', 'node')).toContain('NSWG-COR-10');
  });

  it('imports an OSV all.zip; a truncated copy fails and the snapshot stays', async () => {
    const zip = join(work, 'all.zip');
    const count = await zipDirectory(data('osv/pypi'), zip);
    const result = await importVulnData(stores.vulns, [zip], { logger });
    expect(result.counts.added).toBe(count);
    expect(await ids('PyPI', 'requests')).toContain('PYSEC-2023-74');
    const before = await stores.vulns.summary();

    const truncated = join(work, 'truncated.zip');
    await cp(zip, truncated);
    await truncate(truncated, Math.floor((await stat(zip)).size * 0.6));
    // Data read before the damaged archive must not become visible either.
    const extra = join(work, 'extra');
    await mkdir(extra);
    await writeFile(
      join(extra, 'NEW-1.json'),
      JSON.stringify({
        id: 'NEW-1',
        modified: '2025-01-01T00:00:00Z',
        affected: [
          {
            package: { ecosystem: 'PyPI', name: 'requests' },
            versions: ['2.19.0'],
          },
        ],
      }),
    );
    await expect(
      importVulnData(stores.vulns, [extra, truncated], { logger }),
    ).rejects.toMatchObject({ code: 'ARCHIVE_INVALID' });
    expect(await stores.vulns.summary()).toEqual(before);
    expect(await ids('PyPI', 'requests')).not.toContain('NEW-1');
    const { rows } = await db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM vulndb_staged_advisories',
    );
    expect(rows[0]?.n).toBe(0);
  });

  it('withdraws a record that leaves its feed, and brings it back', async () => {
    const feed = join(work, 'feed');
    await cp(data('osv/ghsa'), feed, { recursive: true });
    await importVulnData(stores.vulns, [feed], { logger });
    expect(await ids('npm', 'minimist')).toEqual(['GHSA-xvch-5gv4-984h']);
    const kept = await readFile(join(feed, 'GHSA-xvch-5gv4-984h.json'));
    await rm(join(feed, 'GHSA-xvch-5gv4-984h.json'));
    const gone = await importVulnData(stores.vulns, [feed], { logger });
    expect(gone.counts).toMatchObject({
      added: 0,
      changed: 0,
      withdrawn: 1,
      unchanged: 7,
    });
    expect(gone.changedPackages).toBe(1);
    expect(await ids('npm', 'minimist')).toEqual([]);
    // Another feed's import withdraws nothing of this one.
    const other = await importVulnData(stores.vulns, [data('osv/malicious')], {
      logger,
    });
    expect(other.counts.withdrawn).toBe(0);
    await writeFile(join(feed, 'GHSA-xvch-5gv4-984h.json'), kept);
    const back = await importVulnData(stores.vulns, [feed], { logger });
    expect(back.counts).toMatchObject({ changed: 1, withdrawn: 0 });
    expect(await ids('npm', 'minimist')).toEqual(['GHSA-xvch-5gv4-984h']);
  });

  it('withdraws a record its source marks withdrawn or not-affected', async () => {
    const list = join(work, 'tracker', 'list');
    await mkdir(join(work, 'tracker'));
    const entry = (line: string) =>
      `CVE-2099-1000 (test entry)\n\t${line}\nCVE-2099-1001 (another)\n\t- zlib 1:1.3.dfsg-2\n`;
    await writeFile(list, entry('- zlib 1:1.3.dfsg-2'));
    await importVulnData(stores.vulns, [list], { logger });
    expect(await ids('Debian:12', 'zlib')).toContain('DEBIAN-CVE-2099-1000');
    await writeFile(
      list,
      entry('- zlib <not-affected> (vulnerable code not present)'),
    );
    const result = await importVulnData(stores.vulns, [list], { logger });
    expect(result.counts).toMatchObject({
      withdrawn: 1,
      changed: 0,
      unchanged: 1,
    });
    expect(await ids('Debian:12', 'zlib')).not.toContain(
      'DEBIAN-CVE-2099-1000',
    );

    const osv = join(work, 'withdrawn');
    await mkdir(osv);
    const record = (extra: object) =>
      JSON.stringify({
        id: 'WD-1',
        modified: '2025-01-01T00:00:00Z',
        affected: [
          {
            package: { ecosystem: 'npm', name: 'left-pad' },
            versions: ['1.0.0'],
          },
        ],
        ...extra,
      });
    await writeFile(join(osv, 'WD-1.json'), record({}));
    await importVulnData(stores.vulns, [osv], { logger });
    await writeFile(
      join(osv, 'WD-1.json'),
      record({ withdrawn: '2025-02-01T00:00:00Z' }),
    );
    const withdrawn = await importVulnData(stores.vulns, [osv], { logger });
    expect(withdrawn.counts.withdrawn).toBe(1);
    expect(await ids('npm', 'left-pad')).toEqual([]);
  });

  it('skips a malformed record with a warning naming the file, and withdraws nothing from that feed', async () => {
    const dir = join(work, 'osv');
    await mkdir(dir);
    const ok = (id: string) =>
      JSON.stringify({
        id,
        modified: '2024-01-01T00:00:00Z',
        affected: [
          {
            package: { ecosystem: 'npm', name: 'left-pad' },
            versions: ['1.0.0'],
          },
        ],
      });
    await writeFile(join(dir, 'OK-1.json'), ok('OK-1'));
    await writeFile(join(dir, 'OK-2.json'), ok('OK-2'));
    await importVulnData(stores.vulns, [dir], { logger });
    await writeFile(
      join(dir, 'OK-2.json'),
      '{"id": "OK-2", "affected": "oops"}',
    );
    await writeFile(join(dir, 'BROKEN.json'), '{');
    const result = await importVulnData(stores.vulns, [dir], { logger });
    expect(result.counts).toMatchObject({
      added: 0,
      skipped: 2,
      withdrawn: 0,
      unchanged: 1,
    });
    expect(result.warnings.map((w) => w.file).sort()).toEqual([
      join(dir, 'BROKEN.json'),
      join(dir, 'OK-2.json'),
    ]);
    expect(result.warnings[1]?.message).toMatch(/invalid OSV record OK-2/);
    // OK-2 may be the record that failed to parse: it is not withdrawn.
    expect(await ids('npm', 'left-pad')).toEqual(['OK-1', 'OK-2']);
  });

  it('fails on an unreadable or unknown input and keeps the previous snapshot', async () => {
    const before = await stores.vulns.currentSnapshot();
    await expect(
      importVulnData(stores.vulns, [join(work, 'missing')], { logger }),
    ).rejects.toMatchObject({ code: 'SOURCE_UNREADABLE' });
    await writeFile(join(work, 'notes.txt'), 'hello');
    await expect(
      importVulnData(stores.vulns, [join(work, 'notes.txt')], { logger }),
    ).rejects.toMatchObject({ code: 'SOURCE_UNKNOWN' });
    await expect(
      importVulnData(stores.vulns, ['https://mirror.invalid/all.zip'], {
        logger,
      }),
    ).rejects.toMatchObject({ code: 'MIRROR_UNAVAILABLE' });
    expect(await stores.vulns.currentSnapshot()).toBe(before);
    const { rows } = await db.query<{ status: string; n: number }>(
      `SELECT status, count(*)::int AS n FROM vulndb_imports GROUP BY status ORDER BY status`,
    );
    expect(rows.find((r) => r.status === 'failed')?.n).toBeGreaterThanOrEqual(
      4,
    );
    expect(rows.find((r) => r.status === 'running')).toBeUndefined();
  });
});
