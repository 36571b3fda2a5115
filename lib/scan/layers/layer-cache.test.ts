/**
 * The layer cache on a real embedded PostgreSQL (PGlite, migrated): a
 * cached layer is never opened again, merges exactly like a walked one
 * (whiteouts and opaque directories across cached and fresh layers), and a
 * change of detectors or limits is a different key.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Digest } from '../../core/digest.js';
import { MediaTypes } from '../../core/media-types.js';
import type { Database } from '../../storage/database.js';
import { migrate } from '../../storage/postgres/migrate.js';
import { openPgliteDatabase } from '../../storage/postgres/pglite-database.js';
import { createLayerResultStore } from '../../storage/postgres/layer-result-store.js';
import type { LayerResultStore } from '../../storage/ports.js';
import { DETECTORS } from '../detectors/registry.js';
import { silentLogger } from '../testing.js';
import { analyzeLayers, type LayerSource } from './analyze.js';
import { createLayerCache, layerCacheKey } from './layer-cache.js';
import { decodeLayerRecord } from './layer-record.js';
import { buildTar, gzip, streamOf, type TarSpec } from './test-tar.js';

const LIMITS = {
  maxLayerBytes: 64 * 1024 ** 2,
  maxFileBytes: 1024 ** 2,
  maxEntries: 10_000,
  maxSymlinkDepth: 8,
};
const digestOf = (name: string): Digest =>
  `sha256:${Buffer.from(name).toString('hex').padEnd(64, '0')}` as Digest;
const status = (...names: string[]): string =>
  names
    .map((n) => `Package: ${n}\nStatus: install ok installed\nVersion: 1.0\n`)
    .join('\n');

const LAYERS: Record<string, TarSpec[]> = {
  base: [
    {
      type: 'file',
      path: 'etc/os-release',
      content: 'ID=debian\nVERSION_ID=12\n',
    },
    {
      type: 'file',
      path: 'var/lib/dpkg/status',
      content: status('libc6', 'zlib1g'),
    },
    {
      type: 'file',
      path: 'usr/lib/python3/dist-packages/six-1.16.0.dist-info/METADATA',
      content: 'Name: six\nVersion: 1.16.0\n',
    },
    { type: 'symlink', path: 'lib', target: 'usr/lib' },
  ],
  app: [
    {
      type: 'file',
      path: 'app/node_modules/ms/package.json',
      content: '{"name":"ms","version":"2.0.0"}',
    },
    {
      type: 'file',
      path: 'usr/lib/python3/dist-packages/.wh.six-1.16.0.dist-info',
    },
  ],
  reset: [
    { type: 'file', path: 'var/lib/dpkg/.wh..wh..opq' },
    { type: 'file', path: 'var/lib/dpkg/status', content: status('busybox') },
  ],
};

describe('layer cache', () => {
  let db: Database;
  let store: LayerResultStore;
  const opened: string[] = [];

  const source = (name: string): LayerSource => ({
    digest: digestOf(name),
    mediaType: MediaTypes.ociLayerGzip,
    open: () => {
      opened.push(name);
      return Promise.resolve(streamOf(gzip(buildTar(LAYERS[name]!))));
    },
  });
  const analyze = (names: string[], withCache = true) =>
    analyzeLayers(names.map(source), {
      detectors: DETECTORS,
      limits: LIMITS,
      signal: new AbortController().signal,
      logger: silentLogger,
      cache: withCache
        ? createLayerCache(store, { detectors: DETECTORS, limits: LIMITS })
        : undefined,
    });
  const summary = (a: Awaited<ReturnType<typeof analyze>>) =>
    a.packages.map(
      (p) =>
        `${p.ecosystem}/${p.name}@${p.version}<${p.layerDigest.slice(7, 11)}`,
    );

  beforeAll(async () => {
    db = (await openPgliteDatabase(undefined)).database;
    await migrate(db);
    store = createLayerResultStore(db);
  });
  afterAll(() => db.close());

  it('reads a cached layer from the database, never from the registry, with the same result', async () => {
    const uncached = await analyze(['base', 'app'], false);
    opened.length = 0;
    const first = await analyze(['base', 'app']);
    expect(opened).toEqual(['base', 'app']);
    opened.length = 0;
    const second = await analyze(['base', 'app']);
    expect(opened).toEqual([]);
    expect(second.stats.cachedLayers).toBe(2);
    expect(first.stats.cachedLayers).toBe(0);
    expect(summary(second)).toEqual(summary(uncached));
    expect(second.packages).toEqual(uncached.packages);
    expect(summary(second)).toEqual([
      'Debian:12/libc6@1.0<6261',
      'Debian:12/zlib1g@1.0<6261',
      'npm/ms@2.0.0<6170',
    ]);
  });

  it('applies whiteouts and opaque directories of fresh layers to cached ones exactly', async () => {
    opened.length = 0;
    const a = await analyze(['base', 'reset']);
    expect(opened).toEqual(['reset']);
    expect(summary(a)).toEqual([
      'Debian:12/busybox@1.0<7265',
      'PyPI/six@1.16.0<6261',
    ]);
    opened.length = 0;
    const b = await analyze(['base', 'reset', 'app']);
    expect(opened).toEqual([]);
    expect(summary(b)).toEqual([
      'Debian:12/busybox@1.0<7265',
      'npm/ms@2.0.0<6170',
    ]);
  });

  it('keys records by detectors and limits', async () => {
    const key = layerCacheKey(DETECTORS, LIMITS);
    expect(await store.get(digestOf('base'), key)).toBeInstanceOf(Buffer);
    expect(layerCacheKey(DETECTORS.slice(1), LIMITS)).not.toBe(key);
    expect(layerCacheKey(DETECTORS, { ...LIMITS, maxFileBytes: 1 })).not.toBe(
      key,
    );
    expect(layerCacheKey(DETECTORS, { ...LIMITS, maxSymlinkDepth: 1 })).toBe(
      key,
    );
    const record = decodeLayerRecord((await store.get(digestOf('base'), key))!);
    expect(record.stats.entries).toBe(4);
  });

  it('walks the layer again when a stored record cannot be decoded', async () => {
    // A new store object: a new process, whose memory holds no records yet.
    store = createLayerResultStore(db);
    await store.put(
      digestOf('app'),
      layerCacheKey(DETECTORS, LIMITS),
      Buffer.from('junk'),
    );
    opened.length = 0;
    const a = await analyze(['base', 'app']);
    expect(opened).toEqual(['app']);
    expect(summary(a)).toContain('npm/ms@2.0.0<6170');
  });
});
