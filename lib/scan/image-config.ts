/**
 * Reads an image's config blob (digest-verified by the source) for the
 * configuration baseline, and the OCI annotations of its manifest.
 */
import type { Logger } from 'pino';
import type { Digest } from '../core/digest.js';
import type { ImageConfigDocument } from './baseline/config-checks.js';
import type { ManifestStore } from '../storage/ports.js';
import { recogniseBase, type ApprovedBase } from './base-image.js';
import type { ImageFacts } from './image-evidence.js';
import type { ImageSource } from './pipeline.js';

/** Configs are small; a larger one is not read (the baseline says so). */
const MAX_CONFIG_BYTES = 4 * 1024 * 1024;
const OCI_KEY_RE = /^org\.opencontainers\./;

/**
 * The config document of `digest`, or undefined (logged) when it cannot be
 * read or is not JSON: the config checks are then not run, never passed.
 */
export async function readImageConfig(
  source: ImageSource,
  target: { repository: string; digest: Digest },
  ctx: { signal: AbortSignal; log: Logger },
): Promise<ImageConfigDocument | undefined> {
  try {
    const { stream } = await source.getBlob(target.repository, target.digest, {
      signal: ctx.signal,
    });
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > MAX_CONFIG_BYTES) {
        stream.destroy();
        throw new Error(`config over ${MAX_CONFIG_BYTES} bytes`);
      }
      chunks.push(chunk);
    }
    return JSON.parse(
      Buffer.concat(chunks).toString('utf8'),
    ) as ImageConfigDocument;
  } catch (err: unknown) {
    ctx.log.warn({ err, digest: target.digest }, 'image config not read');
    return undefined;
  }
}

/** `org.opencontainers.*` entries of the manifest annotations and config labels (annotations win). */
export function ociAnnotations(
  manifestAnnotations: Record<string, string> | undefined,
  config: ImageConfigDocument | undefined,
): Record<string, string> {
  const all = {
    ...(config?.config?.Labels ?? {}),
    ...(manifestAnnotations ?? {}),
  };
  return Object.fromEntries(
    Object.entries(all).filter(
      ([k, v]) => OCI_KEY_RE.test(k) && typeof v === 'string',
    ),
  );
}

/**
 * The facts besides layers the evidence needs: the config, the OCI
 * annotations (stored manifest and config labels) and the repository's
 * tags of the image.
 */
export async function readImageFacts(
  deps: {
    upstream: ImageSource;
    manifests: ManifestStore;
    baseImages?: readonly ApprovedBase[] | undefined;
  },
  target: {
    repository: string;
    digest: Digest;
    configDigest: Digest;
    layers: Digest[];
  },
  ctx: { signal: AbortSignal; log: Logger },
): Promise<ImageFacts> {
  const config = await readImageConfig(
    deps.upstream,
    { repository: target.repository, digest: target.configDigest },
    ctx,
  );
  const manifest = await deps.manifests.get(target.digest);
  const annotations = manifest && manifestAnnotations(manifest.body);
  return {
    config,
    annotations: ociAnnotations(annotations, config),
    tags: await deps.manifests.tagsOf(target.repository, target.digest),
    layers: target.layers,
    baseImage: recogniseBase(target.layers, deps.baseImages ?? []),
  };
}

function manifestAnnotations(body: Buffer): Record<string, string> | undefined {
  try {
    const doc = JSON.parse(body.toString('utf8')) as {
      annotations?: Record<string, string>;
    };
    return doc.annotations;
  } catch {
    return undefined;
  }
}
