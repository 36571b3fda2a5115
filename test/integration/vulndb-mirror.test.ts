/**
 * `customs vulndb import URL`: an OSV all.zip served by a real HTTP server
 * (an internal mirror), through the outbound downloader.
 */
import { createReadStream } from 'node:fs';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../lib/log/create-logger.js';
import { downloadMirrorFile } from '../../lib/outbound/mirror-download.js';
import type { Database } from '../../lib/storage/database.js';
import { migrate } from '../../lib/storage/postgres/migrate.js';
import { openPgliteDatabase } from '../../lib/storage/postgres/pglite-database.js';
import { createStores } from '../../lib/storage/postgres/stores.js';
import type { Stores } from '../../lib/storage/ports.js';
import { importVulnData, type ImportOptions } from '../../lib/vulndb/import.js';
import { zipDirectory } from '../helpers/osv-zip.js';

const logger = createLogger({ level: 'silent' });
const GO = new URL('../../../shared/data/osv/go', import.meta.url).pathname;

describe('importVulnData from a mirror URL', () => {
  let db: Database;
  let stores: Stores;
  let work: string;
  let tempDir: string;
  let server: Server;
  let base: string;
  let records: number;
  const requests: string[] = [];

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'customs-mirror-'));
    tempDir = await mkdtemp(join(tmpdir(), 'customs-mirror-downloads-'));
    const zip = join(work, 'all.zip');
    records = await zipDirectory(GO, zip);
    const size = (await stat(zip)).size;
    server = createServer((req, res) => {
      requests.push(`${req.url ?? ''} ${req.headers.authorization ?? '-'}`);
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      if (path === '/osv/Go/all.zip') {
        res.writeHead(200, {
          'content-type': 'application/zip',
          'content-length': size,
        });
        createReadStream(zip).pipe(res);
      } else if (path === '/latest/Go.zip') {
        res.writeHead(302, { location: '/osv/Go/all.zip' });
        res.end();
      } else {
        res.writeHead(404).end('not here');
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const address = server.address();
    if (address === null || typeof address === 'string')
      throw new Error('no port');
    base = `http://127.0.0.1:${address.port}`;
    db = (await openPgliteDatabase(undefined)).database;
    await migrate(db);
    stores = createStores(db);
  });
  afterAll(async () => {
    await db.close();
    await new Promise((r) => server.close(r));
    await rm(work, { recursive: true, force: true });
    await rm(tempDir, { recursive: true, force: true });
  });

  const options = (maxBytes = 64 * 1024 * 1024): ImportOptions => ({
    logger,
    download: (url) =>
      downloadMirrorFile(url, { timeoutMs: 10_000, maxBytes, tempDir }),
  });

  it('downloads and imports the archive, with the URL as its feed', async () => {
    const url = `${base}/osv/Go/all.zip`;
    const result = await importVulnData(stores.vulns, [url], options());
    expect(result.counts.added).toBe(records);
    expect(result.feeds.map((f) => f.feed)).toEqual([url]);
    const stdlib = await stores.vulns.advisoriesFor([
      { ecosystem: 'Go', name: 'stdlib' },
    ]);
    expect(stdlib.length).toBeGreaterThan(100);
    // The temporary copy is gone.
    expect(await readdir(tempDir)).toEqual([]);
    const again = await importVulnData(stores.vulns, [url], options());
    expect(again.counts).toMatchObject({
      added: 0,
      changed: 0,
      unchanged: records,
    });
  });

  it('follows a redirect, and drops credentials and query from the feed name', async () => {
    const url = `${base.replace('http://', 'http://user:pw@')}/latest/Go.zip?token=x`;
    const result = await importVulnData(stores.vulns, [url], options());
    expect(result.feeds[0]?.feed).toBe(`${base}/latest/Go.zip`);
    // Basic credentials from the URL go to the mirror, on the same origin.
    const auth = `Basic ${Buffer.from('user:pw').toString('base64')}`;
    expect(requests).toContain(`/latest/Go.zip?token=x ${auth}`);
    expect(requests).toContain(`/osv/Go/all.zip ${auth}`);
  });

  it('fails on a missing file or one too large, and keeps the snapshot', async () => {
    const before = await stores.vulns.currentSnapshot();
    await expect(
      importVulnData(stores.vulns, [`${base}/osv/PyPI/all.zip`], options()),
    ).rejects.toMatchObject({
      code: 'MIRROR_UNAVAILABLE',
      message: expect.stringMatching(/HTTP 404/),
    });
    await expect(
      importVulnData(stores.vulns, [`${base}/osv/Go/all.zip`], options(1024)),
    ).rejects.toMatchObject({
      code: 'MIRROR_UNAVAILABLE',
      message: expect.stringMatching(/larger than 1024 bytes/),
    });
    expect(await stores.vulns.currentSnapshot()).toBe(before);
    expect(await readdir(tempDir)).toEqual([]);
  });
});
