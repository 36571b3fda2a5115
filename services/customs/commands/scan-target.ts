import { stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../../../lib/config/schema.js';
import type { Digest } from '../../../lib/core/digest.js';
import { parseImageReference } from '../../../lib/core/reference.js';
import { createUpstreamClient } from '../../../lib/registry/client/upstream-client.js';
import type { ImageSource } from '../../../lib/scan/pipeline.js';
import { openOciLayout } from '../../../lib/scan/sources/oci-layout.js';
import { CliError, EXIT } from './common.js';

/** What `customs scan` reads: a source, the image's repository name and digest. */
export interface ScanTarget {
  source: ImageSource;
  repository: string;
  digest: Digest;
  close(): Promise<void>;
}

const OCI_PREFIX = 'oci:';

/**
 * Opens what `ref` names: `oci:DIR[:TAG]` or a directory path (an OCI image
 * layout), else `HOST[:PORT]/REPO[:TAG|@DIGEST]` in a registry (credentials
 * from the config's upstream section; plain http for loopback hosts or
 * with `plainHttp`).
 */
export async function openScanTarget(
  ref: string,
  options: TargetOptions,
): Promise<ScanTarget> {
  const layout = await layoutOf(ref);
  if (layout !== undefined) {
    const source = await openOciLayout(layout.dir);
    const { digest } = await source.resolve(layout.tag);
    const repository =
      basename(resolve(layout.dir)).toLowerCase() || 'oci-layout';
    return { source, repository, digest, close: () => Promise.resolve() };
  }
  return openRegistryImage(ref, options);
}

interface TargetOptions {
  config: Readonly<Config>;
  plainHttp?: boolean | undefined;
  logger: Logger;
}

async function openRegistryImage(
  ref: string,
  options: TargetOptions,
): Promise<ScanTarget> {
  const image = parseImageReference(ref.replace(/^docker:\/\//, ''));
  if (!image.registry)
    throw new CliError(
      'name the registry (HOST[:PORT]/REPO[:TAG|@DIGEST]) or a layout (oci:DIR[:TAG])',
      EXIT.usage,
    );
  const plain =
    options.plainHttp ?? /^(localhost|127\.|\[::1\])/.test(image.registry);
  const upstream = createUpstreamClient({
    ...options.config.upstream,
    url: `${plain ? 'http' : 'https'}://${image.registry}`,
    logger: options.logger,
  });
  try {
    const head = await upstream.headManifest(
      image.repository,
      image.digest ?? image.tag ?? 'latest',
    );
    if (!head) throw new CliError(`${ref}: no such image`);
    const { repository } = image;
    const close = () => upstream.close();
    return { source: upstream, repository, digest: head.digest, close };
  } catch (err: unknown) {
    await upstream.close();
    throw err;
  }
}

/** `oci:DIR[:TAG]`, or an existing directory; undefined for registry references. */
async function layoutOf(
  ref: string,
): Promise<{ dir: string; tag: string | undefined } | undefined> {
  if (ref.startsWith(OCI_PREFIX)) {
    const rest = ref.slice(OCI_PREFIX.length);
    const colon = rest.lastIndexOf(':');
    // A colon after the last slash separates the tag (oci:/images/app:1.0).
    if (colon > rest.lastIndexOf('/') && colon > 0)
      return { dir: rest.slice(0, colon), tag: rest.slice(colon + 1) };
    return { dir: rest, tag: undefined };
  }
  const info = await stat(ref).catch(() => undefined);
  return info?.isDirectory() === true
    ? { dir: ref, tag: undefined }
    : undefined;
}
