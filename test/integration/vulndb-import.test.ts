/** `importVulnData` on the real shared data, into a real (embedded) PostgreSQL. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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

const data = (p: string) =>
  new URL(`../../../shared/data/${p}`, import.meta.url).pathname;
const logger = createLogger({ level: 'silent' });

describe('importVulnData', () => {
  let db: Database;
  let stores: Stores;
  const work = mkdtempSync(join(tmpdir(), 'customs-import-'));
  beforeAll(async () => {
    db = (await openPgliteDatabase(undefined)).database;
    await migrate(db);
    stores = createStores(db);
  });
  afterAll(async () => {
    await db.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('imports OSV directories and the Debian tracker, and a re-import changes nothing', async () => {
    const paths = [
      data('raw/debian-security-tracker'),
      data('osv/ghsa'),
      data('osv/malicious'),
    ];
    const first = await importVulnData(stores.vulns, paths, {
      logger,
      batchSize: 7,
    });
    expect(first.counts).toMatchObject({
      changed: 0,
      unchanged: 0,
      skipped: 0,
    });
    expect(first.counts.added).toBe(45 + 8 + 13);
    const again = await importVulnData(stores.vulns, paths, { logger });
    expect(again.counts).toEqual({
      added: 0,
      changed: 0,
      unchanged: 66,
      withdrawn: 0,
      skipped: 0,
    });
    expect(await stores.vulns.currentSnapshot()).toBe(again.importId);
    const zlib = await stores.vulns.advisoriesFor([
      { ecosystem: 'Debian:12', name: 'zlib' },
    ]);
    expect(zlib.map((a) => a.aliases[0])).toContain('CVE-2023-45853');
  });

  it('skips a malformed record with a warning naming the file, and goes on', async () => {
    const dir = join(work, 'osv');
    mkdirSync(dir);
    writeFileSync(join(dir, 'BAD-1.json'), '{"id": "BAD-1"}');
    writeFileSync(join(dir, 'BROKEN.json'), '{');
    writeFileSync(
      join(dir, 'OK-1.json'),
      JSON.stringify({
        id: 'OK-1',
        modified: '2024-01-01T00:00:00Z',
        affected: [
          {
            package: { ecosystem: 'npm', name: 'left-pad' },
            versions: ['1.0.0'],
          },
        ],
      }),
    );
    const result = await importVulnData(stores.vulns, [dir], { logger });
    expect(result.counts).toMatchObject({ added: 1, skipped: 2 });
    expect(result.warnings.map((w) => w.file).sort()).toEqual([
      join(dir, 'BAD-1.json'),
      join(dir, 'BROKEN.json'),
    ]);
  });

  it('fails on an unreadable path and keeps the previous snapshot in force', async () => {
    const before = await stores.vulns.currentSnapshot();
    await expect(
      importVulnData(stores.vulns, [join(work, 'missing')], { logger }),
    ).rejects.toMatchObject({ code: 'SOURCE_UNREADABLE' });
    expect(await stores.vulns.currentSnapshot()).toBe(before);
    writeFileSync(join(work, 'notes.txt'), 'hello');
    await expect(
      importVulnData(stores.vulns, [join(work, 'notes.txt')], { logger }),
    ).rejects.toMatchObject({ code: 'SOURCE_UNKNOWN' });
  });
});
