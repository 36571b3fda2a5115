/**
 * Test helper: the layers of an image in an OCI image layout
 * (https://github.com/opencontainers/image-spec/blob/main/image-layout.md)
 * as LayerSources whose streams verify their digest like the registry
 * client does. Only for tests.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { access, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import type { Digest } from '../../core/digest.js';
import { UpstreamError } from '../../core/errors.js';
import type { LayerSource } from './analyze.js';

const execFileAsync = promisify(execFile);

/** Cache of make-test-images.sh (`$OCI_TEST_CACHE`). */
export const OCI_TEST_CACHE =
  process.env['OCI_TEST_CACHE'] ?? '/tmp/oci-test-cache';
const HOW_TO_BUILD =
  'run `../shared/scripts/make-test-images.sh --no-push` to build the test images';

interface Descriptor {
  mediaType: string;
  digest: Digest;
  annotations?: Record<string, string>;
}

let snapshot: string | undefined;
const MAKE_TEST_IMAGES = fileURLToPath(
  new URL('../../../../shared/scripts/make-test-images.sh', import.meta.url),
);

/**
 * Builds every test image (from the cache: seconds; cold: about a minute of
 * debootstrap) and takes a private copy of `oci/` and
 * `expected-contents.json`, under the lock the registry harness runs
 * make-test-images.sh under: a push by a concurrent test file rebuilds
 * (deletes and rewrites) the layouts. Once per process; call it in
 * `beforeAll` with a long timeout. Fails, never skips.
 */
export async function prepareTestImages(): Promise<string> {
  if (snapshot !== undefined) return snapshot;
  await mkdir(OCI_TEST_CACHE, { recursive: true });
  const dir = mkdtempSync(join(tmpdir(), 'customs-test-images-'));
  const script =
    'bash "$3" --no-push >&2 && cp -a "$1/oci" "$1/expected-contents.json" "$2/"';
  try {
    await execFileAsync(
      'flock',
      [
        join(OCI_TEST_CACHE, '.make-test-images.lock'),
        'sh',
        '-c',
        script,
        'sh',
        OCI_TEST_CACHE,
        dir,
        MAKE_TEST_IMAGES,
      ],
      { maxBuffer: 64 * 1024 * 1024 },
    );
  } catch (err: unknown) {
    rmSync(dir, { recursive: true, force: true });
    const stderr = (err as { stderr?: string }).stderr ?? '';
    throw new Error(
      `building the test images failed (${HOW_TO_BUILD}; tools: bash test/helpers/install-peers.sh):\n${stderr.slice(-2000)}`,
      { cause: err },
    );
  }
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  snapshot = dir;
  return dir;
}

/** The copy made by {@link prepareTestImages} (call that first). */
export function testImagesSnapshot(): string {
  if (snapshot === undefined) {
    throw new Error('call prepareTestImages() in beforeAll first');
  }
  return snapshot;
}

/** Path of a blob of a layout. */
export function blobPath(layout: string, digest: Digest): string {
  return join(layout, 'blobs', ...digest.split(':'));
}

/**
 * The layers (bottom to top) of the image tagged `refName` (or the only
 * one) in `layout`. Fails, never skips, when the layout is missing.
 */
export async function layoutLayers(
  layout: string,
  refName?: string,
): Promise<LayerSource[]> {
  await access(join(layout, 'index.json')).catch((err: unknown) => {
    throw new Error(`OCI layout ${layout} is missing: ${HOW_TO_BUILD}`, {
      cause: err,
    });
  });
  const index = JSON.parse(
    await readFile(join(layout, 'index.json'), 'utf8'),
  ) as { manifests: Descriptor[] };
  const chosen = index.manifests.find(
    (m) =>
      refName === undefined ||
      m.annotations?.['org.opencontainers.image.ref.name'] === refName,
  );
  if (chosen === undefined)
    throw new Error(
      `no manifest ${refName ?? ''} in ${layout}: ${HOW_TO_BUILD}`,
    );
  const manifest = JSON.parse(
    await readFile(blobPath(layout, chosen.digest), 'utf8'),
  ) as { layers: Descriptor[] };
  return manifest.layers.map((layer) => ({
    digest: layer.digest,
    mediaType: layer.mediaType,
    open: () =>
      Promise.resolve(
        verifiedStream(
          createReadStream(blobPath(layout, layer.digest), {
            highWaterMark: 1024 * 1024,
          }),
          layer.digest,
        ),
      ),
  }));
}

/** `source` piped through a sha256 check that fails at the end on a mismatch. */
export function verifiedStream(source: Readable, digest: Digest): Readable {
  const hash = createHash('sha256');
  const verifier = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      done(null, chunk);
    },
    flush(done) {
      const actual = `sha256:${hash.digest('hex')}`;
      done(
        actual === digest
          ? null
          : new UpstreamError('UPSTREAM_DIGEST_MISMATCH', 'digest mismatch', {
              details: { digest, actual },
            }),
      );
    },
  });
  source.on('error', (err) => verifier.destroy(err));
  return source.pipe(verifier);
}
