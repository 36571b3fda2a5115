/** The in-process verdict cache on a real (embedded) PostgreSQL with LISTEN/NOTIFY. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Digest } from '../../lib/core/digest.js';
import { createLogger } from '../../lib/log/create-logger.js';
import { VerdictCache } from '../../lib/policy/verdict-cache.js';
import { storeVerdictSource } from '../../lib/policy/verdict-source.js';
import type { Database } from '../../lib/storage/database.js';
import { migrate } from '../../lib/storage/postgres/migrate.js';
import { openPgliteDatabase } from '../../lib/storage/postgres/pglite-database.js';
import { createStores } from '../../lib/storage/postgres/stores.js';
import { VERDICT_CHANNEL } from '../../lib/storage/postgres/verdict-store.js';
import type { Stores } from '../../lib/storage/ports.js';

const D: Digest = `sha256:${'1'.repeat(64)}`;
const verdict = (status: 'eligible' | 'ineligible') => ({
  repository: 'team/app',
  digest: D,
  environment: 'prod',
  status,
  reasons: [],
  rulesVersion: 'r',
  snapshotId: null,
});

describe('VerdictCache', () => {
  let db: Database;
  let stores: Stores;
  let cache: VerdictCache;
  beforeAll(async () => {
    db = (await openPgliteDatabase(undefined)).database;
    await migrate(db);
    stores = createStores(db);
    cache = new VerdictCache({
      source: storeVerdictSource(stores),
      notifications: db,
      channel: VERDICT_CHANNEL,
      maxEntries: 2,
      logger: createLogger({ level: 'silent' }),
    });
    await cache.start();
  });
  afterAll(async () => {
    await cache.close();
    await db.close();
  });

  it('answers from memory until the image is written again', async () => {
    await stores.verdicts.save([verdict('ineligible')], 'test');
    await new Promise((r) => setTimeout(r, 50)); // let the first announcement pass
    expect((await cache.verdictOf('team/app', D, 'prod'))?.status).toBe(
      'ineligible',
    );
    const misses = cache.misses;
    expect((await cache.verdictOf('team/app', D, 'prod'))?.status).toBe(
      'ineligible',
    );
    expect(cache.misses).toBe(misses);
    await stores.verdicts.save([verdict('eligible')], 'test');
    await expect
      .poll(async () => (await cache.verdictOf('team/app', D, 'prod'))?.status)
      .toBe('eligible');
  });

  it('wakes a waiter when the image is written, and times out otherwise', async () => {
    const started = Date.now();
    const waiting = cache.written('team/app', D, 5000);
    await stores.verdicts.save([verdict('ineligible')], 'test');
    await waiting;
    expect(Date.now() - started).toBeLessThan(2000);
    const idle = Date.now();
    await cache.written('team/app', `sha256:${'2'.repeat(64)}`, 100);
    expect(Date.now() - idle).toBeGreaterThanOrEqual(90);
  });

  it('remembers that a known manifest has no subject, but not an unknown one', async () => {
    expect(await cache.subjectOf(D)).toBeUndefined();
    await stores.manifests.save(
      {
        digest: D,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        kind: 'image',
        body: Buffer.from('{}'),
        references: [],
      },
      'team/app',
    );
    expect(await cache.subjectOf(D)).toBeNull();
  });

  it('answers at once only what it holds: a known subject and a settled verdict', async () => {
    // The manifest is stored (previous test): its subject is known, null.
    await cache.subjectOf(D);
    expect(cache.knownNow('team/app', D, 'staging')).toBeUndefined();
    const read = cache.verdictOf('team/app', D, 'staging');
    expect(cache.knownNow('team/app', D, 'staging')).toBeUndefined(); // not settled
    expect(await read).toBeUndefined();
    expect(cache.knownNow('team/app', D, 'staging')).toEqual({
      judgedDigest: D,
      verdict: undefined,
    });
    await stores.verdicts.save(
      [{ ...verdict('eligible'), environment: 'staging' }],
      'test',
    );
    // The write is announced: nothing is answered from memory until read again.
    await expect
      .poll(() => cache.knownNow('team/app', D, 'staging'))
      .toBeUndefined();
    await cache.verdictOf('team/app', D, 'staging');
    expect(cache.knownNow('team/app', D, 'staging')?.verdict?.status).toBe(
      'eligible',
    );
    const unknown = `sha256:${'3'.repeat(64)}` as Digest;
    expect(cache.knownNow('team/app', unknown, 'staging')).toBeUndefined();
  });

  it('stays within its size bound', async () => {
    for (const env of ['a', 'b', 'c', 'd'])
      await cache.verdictOf('team/app', D, env);
    const before = cache.misses;
    await cache.verdictOf('team/app', D, 'a'); // evicted: read again
    expect(cache.misses).toBe(before + 1);
  });
});
