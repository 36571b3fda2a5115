/**
 * An OCI image layout directory
 * (https://github.com/opencontainers/image-spec/blob/main/image-layout.md)
 * as an image source, so `customs scan oci:DIR[:TAG]` reads images as the
 * pipeline reads a registry: manifests by tag (`org.opencontainers.image.ref.name`)
 * or digest, blobs streamed and verified against their digest.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { isDigest, type Digest } from '../../core/digest.js';
import { UpstreamError } from '../../core/errors.js';
import { parseManifest, type ParsedManifest } from '../../core/manifest.js';
import type { ImageSource } from '../pipeline.js';

const REF_NAME = 'org.opencontainers.image.ref.name';
/** Same bound as the registry client's default `maxManifestBytes`. */
const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

/** An image source over a layout directory, plus tag resolution. */
export interface OciLayoutSource extends ImageSource {
  /** The manifest a tag (or the layout's only one, when `tag` is undefined) names. */
  resolve(
    tag: string | undefined,
  ): Promise<{ digest: Digest; mediaType: string }>;
}

/**
 * Opens the layout at `dir` (it must hold `oci-layout` and `index.json`).
 * @throws UpstreamError `UPSTREAM_NOT_FOUND` when it is not a layout.
 */
export async function openOciLayout(dir: string): Promise<OciLayoutSource> {
  const index = await readIndex(dir);
  const source: OciLayoutSource = {
    resolve: (tag) => Promise.resolve(resolveTag(index, dir, tag)),
    async getManifest(_repository, reference) {
      const digest = isDigest(reference)
        ? reference
        : resolveTag(index, dir, reference).digest;
      return readManifest(dir, digest);
    },
    getBlob: (_repository, digest) => openBlob(dir, digest),
  };
  return source;
}

type Index = Extract<ParsedManifest, { kind: 'index' }>;

async function readIndex(dir: string): Promise<Index> {
  const body = await readFile(join(dir, 'index.json')).catch((err: unknown) => {
    throw new UpstreamError(
      'UPSTREAM_NOT_FOUND',
      `${dir} is not an OCI image layout (no index.json)`,
      { cause: err },
    );
  });
  const index = parseManifest(body, 'application/vnd.oci.image.index.v1+json');
  if (index.kind !== 'index')
    throw new UpstreamError(
      'UPSTREAM_BAD_RESPONSE',
      `${dir}/index.json is not an index`,
    );
  return index;
}

/** The manifest tagged `tag`, or the only one when `tag` is undefined. */
function resolveTag(
  index: Index,
  dir: string,
  tag: string | undefined,
): { digest: Digest; mediaType: string } {
  const found = index.manifests.filter(
    (m) => tag === undefined || m.annotations?.[REF_NAME] === tag,
  );
  const chosen = found[0];
  if (chosen === undefined || (tag === undefined && found.length > 1))
    throw new UpstreamError(
      'UPSTREAM_NOT_FOUND',
      tag === undefined
        ? `${dir} holds ${found.length} images: name one with oci:${dir}:TAG`
        : `no image tagged ${tag} in ${dir}`,
    );
  return { digest: chosen.digest, mediaType: chosen.mediaType };
}

async function readManifest(
  dir: string,
  digest: Digest,
): Promise<{ digest: Digest; mediaType: string; body: Buffer }> {
  const path = blobPath(dir, digest);
  if ((await stat(path).catch(() => undefined))?.isFile() !== true)
    throw new UpstreamError(
      'UPSTREAM_NOT_FOUND',
      `no manifest ${digest} in ${dir}`,
    );
  const body = await readFile(path);
  if (body.length > MAX_MANIFEST_BYTES)
    throw new UpstreamError(
      'UPSTREAM_TOO_LARGE',
      `manifest ${digest} is over ${MAX_MANIFEST_BYTES} bytes`,
    );
  assertDigest(body, digest);
  const mediaType =
    (JSON.parse(body.toString('utf8')) as { mediaType?: string }).mediaType ??
    '';
  return { digest, mediaType, body };
}

async function openBlob(
  dir: string,
  digest: Digest,
): Promise<{ size: number; stream: Readable }> {
  const path = blobPath(dir, digest);
  const info = await stat(path).catch(() => undefined);
  if (info?.isFile() !== true)
    throw new UpstreamError(
      'UPSTREAM_NOT_FOUND',
      `no blob ${digest} in ${dir}`,
    );
  const file = createReadStream(path, { highWaterMark: 1024 * 1024 });
  return { size: info.size, stream: verified(file, digest) };
}

function blobPath(dir: string, digest: Digest): string {
  return join(dir, 'blobs', ...digest.split(':'));
}

function assertDigest(body: Buffer, digest: Digest): void {
  const [algorithm = 'sha256', hex] = digest.split(':');
  if (createHash(algorithm).update(body).digest('hex') !== hex)
    throw new UpstreamError(
      'UPSTREAM_DIGEST_MISMATCH',
      `content of ${digest} does not match its digest`,
    );
}

/** `source` through a hash that fails the stream at its end on a mismatch. */
function verified(source: Readable, digest: Digest): Readable {
  const [algorithm = 'sha256', hex] = digest.split(':');
  const hash = createHash(algorithm);
  const check = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      done(null, chunk);
    },
    flush(done) {
      done(
        hash.digest('hex') === hex
          ? null
          : new UpstreamError(
              'UPSTREAM_DIGEST_MISMATCH',
              `content of ${digest} does not match its digest`,
            ),
      );
    },
  });
  source.on('error', (err) => check.destroy(err));
  return source.pipe(check);
}
