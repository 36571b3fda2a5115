/**
 * Accuracy of the scanner on every image make-test-images.sh builds, pushed
 * to a real docker-registry and scanned through the pipeline as a push
 * would be (gzip, zstd and plain layers; OCI and Docker schema 2; an
 * index): OS packages must equal Trivy's SBOMs in
 * ../shared/fixtures/trivy-sbom/, npm and Python packages must equal
 * expected-contents.json, and nothing else may be reported. The SBOM the
 * API serves is checked too.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { pino } from 'pino';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../lib/config/schema.js';
import type { Digest } from '../../lib/core/digest.js';
import type { ImagePackage } from '../../lib/core/package.js';
import { DETECTORS } from '../../lib/scan/detectors/registry.js';
import {
  prepareTestImages,
  testImagesSnapshot,
} from '../../lib/scan/layers/test-oci-layout.js';
import { scanManifest } from '../../lib/scan/pipeline.js';
import { createApp } from '../../services/customs/app.js';
import { buildDeps, type Deps } from '../../services/customs/deps.js';
import { startRegistry, type RegistryHandle } from '../helpers/registry.js';

const TRIVY_DIR = fileURLToPath(
  new URL('../../../shared/fixtures/trivy-sbom/', import.meta.url),
);
/**
 * The pushes of make-test-images.sh, done here from this process's own
 * snapshot of the layouts (taken under the image lock with the
 * expected-contents.json it describes): layout, its tag, the reference
 * pushed, extra skopeo flags. A concurrent push by another test run can
 * then never mix into this one.
 */
const PUSHES: Array<[string, string, string, string[]]> = [
  ['debian', 'bookworm-minbase', 'test/debian:bookworm-minbase', []],
  ['busybox', '1.35.0', 'test/busybox-static:1.35.0', []],
  [
    'busybox',
    '1.35.0',
    'test/busybox-static:1.35.0-v2s2',
    ['--format', 'v2s2'],
  ],
  ['app', '1.0', 'test/app-npm-python:1.0', []],
  ['app-zstd', '1.0-zstd', 'test/app-npm-python:1.0-zstd', []],
  ['app-uncompressed', '1.0', 'test/app-npm-python:1.0-uncompressed', []],
  ['multiarch', '1.0', 'test/multiarch:1.0', ['--multi-arch', 'all']],
];
/** Which Trivy SBOM each pushed reference (or index child platform) is compared with. */
const TRIVY_SBOM: Record<string, string> = {
  'test/debian:bookworm-minbase': 'debian',
  'test/busybox-static:1.35.0': 'busybox',
  'test/busybox-static:1.35.0-v2s2': 'busybox',
  'test/app-npm-python:1.0': 'app',
  'test/app-npm-python:1.0-zstd': 'app',
  'test/app-npm-python:1.0-uncompressed': 'app',
  'linux/amd64': 'multiarch-amd64',
  'linux/arm64': 'multiarch-arm64',
};

interface TrivyComponent {
  type: string;
  name: string;
  version: string;
  properties?: Array<{ name: string; value: string }>;
}
interface Expected {
  images: Record<
    string,
    {
      refs: string[];
      packages: {
        npm?: Array<{ name: string; version: string }>;
        python?: Array<{ name: string; version: string }>;
      };
      mustNotReport?: Array<{ name: string; version: string }>;
    }
  >;
}

/** OS packages of a Trivy CycloneDX SBOM: name, version, source name and version. */
function trivyOsPackages(sbom: string): string[] {
  const doc = JSON.parse(
    readFileSync(join(TRIVY_DIR, `${sbom}.cdx.json`), 'utf8'),
  ) as { components?: TrivyComponent[] };
  return (doc.components ?? [])
    .filter((c) => c.type === 'library')
    .map((c) => {
      const prop = (n: string) =>
        c.properties?.find((p) => p.name === `aquasecurity:trivy:${n}`)?.value;
      const epoch = prop('SrcEpoch');
      const source = `${epoch ? `${epoch}:` : ''}${prop('SrcVersion')}${prop('SrcRelease') ? `-${prop('SrcRelease')}` : ''}`;
      return `${c.name} ${c.version} (${prop('SrcName')} ${source})`;
    })
    .sort();
}

const osOf = (packages: ImagePackage[]) =>
  packages
    .filter((p) => p.detector.startsWith('os/'))
    .map((p) => `${p.name} ${p.version} (${p.sourceName} ${p.sourceVersion})`)
    .sort();
const langOf = (packages: ImagePackage[], ecosystem: string) =>
  packages
    .filter((p) => p.ecosystem === ecosystem)
    .map((p) => `${p.name}@${p.version}`)
    .sort();

describe('scanner accuracy on the test images', () => {
  let registry: RegistryHandle;
  let deps: Deps;
  let expected: Expected;
  const dataDir = mkdtempSync(join(tmpdir(), 'customs-accuracy-'));
  const pushed = new Map<string, Digest>();

  beforeAll(async () => {
    await prepareTestImages();
    expected = JSON.parse(
      readFileSync(
        join(testImagesSnapshot(), 'expected-contents.json'),
        'utf8',
      ),
    ) as Expected;
    registry = await startRegistry();
    const config = configSchema.parse({
      version: 1,
      dataDir,
      upstream: { url: registry.url },
    });
    deps = await buildDeps(config, pino({ level: 'silent' }), { work: false });
    for (const [layout, tag, ref, flags] of PUSHES) {
      const keep = flags.includes('--format') ? [] : ['--preserve-digests'];
      await promisify(execFile)('skopeo', [
        'copy',
        '-q',
        '--dest-tls-verify=false',
        ...keep,
        ...flags,
        `oci:${join(testImagesSnapshot(), 'oci', layout)}:${tag}`,
        `docker://${registry.host}/${ref}`,
      ]);
      const colon = ref.lastIndexOf(':');
      const head = await deps.upstream.headManifest(
        ref.slice(0, colon),
        ref.slice(colon + 1),
      );
      if (head === undefined)
        throw new Error(`${ref} is not in the registry after skopeo copy`);
      pushed.set(ref, head.digest);
    }
  }, 600_000);

  afterAll(async () => {
    await deps?.close();
    await registry?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function scan(ref: string) {
    const digest = pushed.get(ref);
    if (digest === undefined)
      throw new Error(
        `${ref} was not pushed (pushed: ${[...pushed.keys()].join(', ')})`,
      );
    const repository = ref.slice(0, ref.lastIndexOf(':'));
    const scanned = await scanManifest(
      {
        upstream: deps.upstream,
        manifests: deps.stores.manifests,
        scans: deps.stores.scans,
        layerResults: deps.stores.layerResults,
        detectors: DETECTORS,
        limits: deps.config.scan.limits,
        logger: deps.logger,
      },
      { repository, digest },
      AbortSignal.timeout(120_000),
    );
    const children = scanned.kind === 'index' ? scanned.children : [digest];
    const manifest = await deps.stores.manifests.get(digest);
    return Promise.all(
      children.map(async (d) => ({
        digest: d,
        platform: manifest?.references.find((r) => r.digest === d)?.platform,
        scan: await deps.stores.scans.get(d),
        packages: await deps.stores.scans.packages(d),
      })),
    );
  }

  it.each(Object.keys(TRIVY_SBOM).filter((r) => r.startsWith('test/')))(
    '%s: OS packages equal Trivy, npm and PyPI equal expected-contents, nothing else',
    async (ref) => {
      const [image] = await scan(ref);
      expect(image?.scan).toMatchObject({ status: 'done', warnings: [] });
      const packages = image!.packages;
      expect(osOf(packages)).toEqual(trivyOsPackages(TRIVY_SBOM[ref]!));
      const contents = Object.values(expected.images).find((i) =>
        i.refs.includes(ref),
      )!;
      const npm = (contents.packages.npm ?? [])
        .map((p) => `${p.name}@${p.version}`)
        .sort();
      const python = (contents.packages.python ?? [])
        .map((p) => `${p.name}@${p.version}`)
        .sort();
      expect(langOf(packages, 'npm')).toEqual(npm);
      expect(langOf(packages, 'PyPI')).toEqual(python);
      for (const gone of contents.mustNotReport ?? [])
        expect(packages.map((p) => p.name)).not.toContain(gone.name);
      // Nothing but what Trivy and expected-contents list.
      expect(packages).toHaveLength(
        osOf(packages).length + npm.length + python.length,
      );
      for (const p of packages) expect(p.purl).toMatch(/^pkg:[a-z]+\//);
    },
    120_000,
  );

  it('scans each platform of the index, and both equal Trivy', async () => {
    const images = await scan('test/multiarch:1.0');
    expect(images.map((i) => i.platform).sort()).toEqual([
      'linux/amd64',
      'linux/arm64',
    ]);
    for (const image of images) {
      expect(image.scan?.status).toBe('done');
      expect(osOf(image.packages)).toEqual(
        trivyOsPackages(TRIVY_SBOM[image.platform!]!),
      );
      expect(image.packages).toEqual([]);
    }
  }, 120_000);

  it('read the busybox variant as a Docker schema 2 manifest, the same packages', async () => {
    await scan('test/busybox-static:1.35.0-v2s2');
    const manifest = await deps.stores.manifests.get(
      pushed.get('test/busybox-static:1.35.0-v2s2')!,
    );
    expect(manifest?.mediaType).toBe(
      'application/vnd.docker.distribution.manifest.v2+json',
    );
  }, 120_000);

  it('names Debian packages for the vulnerability matcher: Debian:12, source package and version', async () => {
    const [image] = await scan('test/debian:bookworm-minbase');
    expect(image!.packages.find((p) => p.name === 'bsdutils')).toMatchObject({
      ecosystem: 'Debian:12',
      sourceName: 'util-linux',
      detector: 'os/dpkg',
    });
  }, 120_000);

  it('serves the SBOM of a scanned image at /api/v1/images/<repo>@<digest>/sbom', async () => {
    await scan('test/app-npm-python:1.0');
    const localToken = 'x'.repeat(32);
    const app = createApp(deps, { localToken });
    const get = (path: string) =>
      supertest(app).get(path).set('Authorization', `Bearer ${localToken}`);
    const digest = pushed.get('test/app-npm-python:1.0')!;
    const cdx = await get(
      `/api/v1/images/test/app-npm-python@${digest}/sbom?format=cyclonedx`,
    );
    expect(cdx.status).toBe(200);
    expect(cdx.headers['content-type']).toMatch(
      /^application\/vnd\.cyclonedx\+json/,
    );
    const doc = JSON.parse(cdx.text) as {
      specVersion: string;
      components: Array<{ purl: string }>;
    };
    expect(doc.specVersion).toBe('1.6');
    expect(doc.components.map((c) => c.purl).sort()).toContain(
      'pkg:npm/lodash@4.17.15',
    );
    const spdx = await get(
      `/api/v1/images/test/app-npm-python:1.0/sbom?format=spdx`,
    );
    expect(spdx.status).toBe(200);
    expect((JSON.parse(spdx.text) as { spdxVersion: string }).spdxVersion).toBe(
      'SPDX-2.3',
    );
    expect(
      (
        await get(
          `/api/v1/images/test/app-npm-python@${digest}/sbom?format=xml`,
        )
      ).status,
    ).toBe(400);
    const unknown = await get(
      `/api/v1/images/test/nothing@sha256:${'0'.repeat(64)}/sbom?format=spdx`,
    );
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ error: { code: 'IMAGE_UNKNOWN' } });
  }, 120_000);
});
