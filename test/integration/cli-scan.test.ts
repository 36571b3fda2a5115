/**
 * `customs scan` as a user runs it, without a running Customs: on OCI image
 * layouts (a snapshot of make-test-images.sh's), as a table, JSON and SBOMs,
 * and on a hostile layout (a layer whose bytes do not match its digest).
 */
import {
  cpSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  prepareTestImages,
  testImagesSnapshot,
} from '../../lib/scan/layers/test-oci-layout.js';
import { runCustoms } from '../helpers/customs-process.js';

const work = mkdtempSync(join(tmpdir(), 'customs-cli-scan-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const env = { CUSTOMS_DATADIR: join(work, 'data') };
const layout = (name: string) => join(testImagesSnapshot(), 'oci', name);

describe('customs scan on OCI layouts', () => {
  beforeAll(() => prepareTestImages(), 300_000);

  it('prints the packages of a zstd image as a table, urllib3 (whited out) absent', async () => {
    const r = await runCustoms(
      ['scan', `oci:${layout('app-zstd')}:1.0-zstd`],
      env,
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/scan done/);
    expect(r.stdout).toMatch(/7 packages/);
    expect(r.stdout).toMatch(/npm\s+lodash\s+4\.17\.15/);
    expect(r.stdout).toMatch(/PyPI\s+requests\s+2\.19\.0/);
    expect(r.stdout).not.toMatch(/urllib3/);
  }, 180_000);

  it('writes CycloneDX 1.6 and SPDX 2.3 of one platform of an index', async () => {
    const cdx = await runCustoms(
      ['scan', `oci:${layout('multiarch')}:1.0`, '--format', 'cyclonedx'],
      env,
    );
    expect(cdx.code).toBe(0);
    const bom = JSON.parse(cdx.stdout) as {
      bomFormat: string;
      specVersion: string;
      metadata: { component: { version: string } };
    };
    expect(bom).toMatchObject({ bomFormat: 'CycloneDX', specVersion: '1.6' });
    const index = JSON.parse(
      readFileSync(join(layout('multiarch'), 'index.json'), 'utf8'),
    ) as {
      manifests: Array<{
        digest: string;
        annotations?: Record<string, string>;
      }>;
    };
    const amd64 = index.manifests.find(
      (m) => m.annotations?.['org.opencontainers.image.ref.name'] === 'amd64',
    );
    expect(bom.metadata.component.version).toBe(amd64?.digest);
    const spdx = await runCustoms(
      ['scan', layout('debian'), '--format', 'spdx'],
      env,
    );
    expect(spdx.code).toBe(0);
    const doc = JSON.parse(spdx.stdout) as {
      spdxVersion: string;
      packages: unknown[];
    };
    expect(doc.spdxVersion).toBe('SPDX-2.3');
    // The image, the distribution and the 88 dpkg packages.
    expect(doc.packages).toHaveLength(90);
    const arm = await runCustoms(
      [
        'scan',
        `oci:${layout('multiarch')}:1.0`,
        '--format',
        'spdx',
        '--platform',
        'linux/s390x',
      ],
      env,
    );
    expect(arm.code).toBe(1);
    expect(arm.stderr).toMatch(/PLATFORM_UNKNOWN/);
  }, 180_000);

  it('prints JSON, and refuses an unknown format or tag with a clear message', async () => {
    const json = await runCustoms(
      ['scan', `oci:${layout('busybox')}:1.35.0`, '--format', 'json'],
      env,
    );
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({
      kind: 'image',
      images: [{ scan: { status: 'done' }, packages: [] }],
    });
    const format = await runCustoms(
      ['scan', layout('busybox'), '--format', 'xml'],
      env,
    );
    expect(format.code).toBe(2);
    expect(format.stderr).toMatch(
      /--format must be one of table, json, cyclonedx, spdx/,
    );
    const tag = await runCustoms(
      ['scan', `oci:${layout('busybox')}:nope`],
      env,
    );
    expect(tag.code).toBe(1);
    expect(tag.stderr).toMatch(/no image tagged nope/);
  }, 180_000);

  it('fails the scan, not the process, on a layer whose bytes do not match its digest', async () => {
    const copy = join(work, 'tampered');
    cpSync(layout('busybox'), copy, { recursive: true });
    const index = JSON.parse(
      readFileSync(join(copy, 'index.json'), 'utf8'),
    ) as { manifests: Array<{ digest: string }> };
    const blob = (d: string) => join(copy, 'blobs', 'sha256', d.slice(7));
    const manifest = JSON.parse(
      readFileSync(blob(index.manifests[0]!.digest), 'utf8'),
    ) as { layers: Array<{ digest: string }> };
    const layer = blob(manifest.layers[0]!.digest);
    const bytes = readFileSync(layer);
    bytes[bytes.length - 20] = bytes[bytes.length - 20]! ^ 0xff;
    writeFileSync(layer, bytes);
    const r = await runCustoms(['scan', copy, '--format', 'json'], env);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({
      images: [
        { scan: { status: 'failed', errorCode: 'LAYER_DIGEST_MISMATCH' } },
      ],
    });
  }, 180_000);
});
