/**
 * Secret scanning during the layer walk: a secret in a kept file and one in
 * a file a later layer deletes are both found, with their layer; a clean
 * image gives nothing; cached layers give the same findings; packages are
 * unchanged by it.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Digest } from '../../core/digest.js';
import { MediaTypes } from '../../core/media-types.js';
import { configSchema } from '../../config/schema.js';
import { DETECTORS } from '../detectors/registry.js';
import { createMalwareScanner } from '../malware/malware-scanner.js';
import { createSecretScanner } from '../secrets/secret-scanner.js';
import { silentLogger } from '../testing.js';
import { analyzeLayers, type LayerSource } from './analyze.js';
import { decodeLayerRecord, encodeLayerRecord } from './layer-record.js';
import type { LayerRecord } from './layer-record.js';
import { buildTar, gzip, streamOf, type TarSpec } from './test-tar.js';

const LIMITS = {
  maxLayerBytes: 64 * 1024 ** 2,
  maxFileBytes: 1024 ** 2,
  maxEntries: 10_000,
  maxSymlinkDepth: 8,
};
// Fake values built here, in the shape of real ones.
const GITHUB_PAT = `ghp_${'Zq8Lr2Vx9Mw4Tn7Kp3Hs6Jd1Fg5Bc0Ny2Uae'}`;
const AWS_KEY_ID = `AKIA${'QX7TZ3LM9VN2KP4W'}`;
const digestOf = (i: number): Digest =>
  `sha256:${String(i).repeat(64)}` as Digest;
const secrets = createSecretScanner(
  configSchema.parse({ version: 1 }).scan.secrets,
);

function layersOf(specs: TarSpec[][]): LayerSource[] {
  return specs.map((entries, i) => ({
    digest: digestOf(i + 1),
    mediaType: MediaTypes.ociLayerGzip,
    open: () => Promise.resolve(streamOf(gzip(buildTar(entries)))),
  }));
}

const planted: TarSpec[][] = [
  [
    { type: 'dir', path: 'srv/app' },
    {
      type: 'file',
      path: 'srv/app/.env',
      content: `# app settings\nPORT=8080\nGITHUB_TOKEN=${GITHUB_PAT}\n`,
    },
    {
      type: 'file',
      path: 'root/.aws/credentials',
      content: `[default]\naws_access_key_id = ${AWS_KEY_ID}\n`,
    },
    { type: 'file', path: 'usr/bin/tool', content: Buffer.from([0, 1, 2, 3]) },
  ],
  [{ type: 'file', path: 'root/.aws/.wh.credentials', content: '' }],
];

describe('secrets in layers', () => {
  it('finds a kept and a deleted secret, each with its layer and line', async () => {
    const analysis = await analyzeLayers(layersOf(planted), {
      detectors: DETECTORS,
      limits: LIMITS,
      signal: new AbortController().signal,
      logger: silentLogger,
      secrets,
    });
    expect(
      analysis.secrets.map((s) => [s.ruleId, s.path, s.line, s.layerDigest]),
    ).toEqual([
      ['github-pat', 'srv/app/.env', 3, digestOf(1)],
      ['aws-access-key-id', 'root/.aws/credentials', 2, digestOf(1)],
    ]);
    expect(analysis.secrets[0]?.excerpt).toBe('GITHUB_TOKEN=*****');
    const json = JSON.stringify(analysis);
    expect(json).not.toContain(GITHUB_PAT);
    expect(json).not.toContain(AWS_KEY_ID);
  });

  it('gives nothing on a clean image, and nothing when scanning is off', async () => {
    const clean: TarSpec[][] = [
      [{ type: 'file', path: 'srv/app/.env', content: 'PORT=8080\n' }],
    ];
    const options = {
      detectors: DETECTORS,
      limits: LIMITS,
      signal: new AbortController().signal,
      logger: silentLogger,
    };
    expect(
      (await analyzeLayers(layersOf(clean), { ...options, secrets })).secrets,
    ).toEqual([]);
    expect((await analyzeLayers(layersOf(planted), options)).secrets).toEqual(
      [],
    );
  });

  it('keeps the findings in the cached layer record, without file bytes', async () => {
    const records = new Map<Digest, Buffer>();
    const cache = {
      get: (d: Digest) => {
        const bytes = records.get(d);
        return Promise.resolve(bytes && decodeLayerRecord(bytes));
      },
      put: (d: Digest, r: LayerRecord) => {
        records.set(d, encodeLayerRecord(r));
        return Promise.resolve();
      },
    };
    const options = {
      detectors: DETECTORS,
      limits: LIMITS,
      signal: new AbortController().signal,
      logger: silentLogger,
      secrets,
      cache,
    };
    const walked = await analyzeLayers(layersOf(planted), options);
    const cached = await analyzeLayers(layersOf(planted), options);
    expect(cached.stats.cachedLayers).toBe(2);
    expect(cached.secrets).toEqual(walked.secrets);
    const record = decodeLayerRecord(records.get(digestOf(1)) as Buffer);
    expect(record.entries.every((e) => e.type !== 'file')).toBe(true);
  });
});

describe('malware checks in layers', () => {
  const scanner = (address: string) =>
    createMalwareScanner(
      {
        hashLists: ['/lists/bad.txt'],
        maxFileBytes: 1024 ** 2,
        clamav: { address, timeoutMs: 1000, maxFileBytes: 1024 ** 2 },
      },
      () =>
        `${createHash('sha256')
          .update(Buffer.from([0, 1, 2, 3]))
          .digest('hex')} fake-rootkit\n`,
    );

  it('finds a listed file; a clamd that is down leaves the layer uncached and unavailable', async () => {
    const puts: Digest[] = [];
    const analysis = await analyzeLayers(layersOf(planted), {
      detectors: DETECTORS,
      limits: LIMITS,
      signal: new AbortController().signal,
      logger: silentLogger,
      malware: scanner('/nonexistent/clamd.sock'),
      cache: {
        get: () => Promise.resolve(undefined),
        put: (d: Digest) => {
          puts.push(d);
          return Promise.resolve();
        },
      },
    });
    expect(analysis.malware).toMatchObject({
      clamav: 'unavailable',
      hashLists: true,
      findings: [
        {
          source: 'hash-list',
          name: 'fake-rootkit',
          path: 'usr/bin/tool',
          layerDigest: digestOf(1),
        },
      ],
    });
    // Only the layer clamd had nothing to read in (a whiteout) is cached.
    expect(puts).toEqual([digestOf(2)]);
  });
});
