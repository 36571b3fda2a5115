import type { Digest } from '../core/digest.js';
import { parseImageReference } from '../core/reference.js';
import { MANIFEST_MEDIA_TYPES } from '../core/media-types.js';
import type { TagResolver } from '../registry/door/tag-cache.js';

/** An image named by a pod, resolved to what Customs judges. */
export interface ResolvedImage {
  image: string;
  environment: string;
  repository: string;
  digest: Digest;
}

/**
 * Resolves a pod's image reference: strips the registry host, reads an
 * environment prefix as the door does (`customs.example/prod/team/app`;
 * an environment named by the request wins), and turns a tag into the digest it names now (a tag is resolved
 * once; the verdict is about that digest).
 */
export async function resolveImage(
  image: string,
  options: {
    environment: string | undefined;
    environments: ReadonlySet<string>;
    defaultEnvironment: string;
    /** `host:port` of the upstream registry: its names carry no environment prefix. */
    upstreamHost: string;
    /** Tag → digest, as the door resolves it (tag-cache.ts). */
    resolveTag: TagResolver;
  },
): Promise<ResolvedImage> {
  const ref = parseImageReference(image);
  let repository = ref.repository;
  let environment = options.environment;
  const slash = repository.indexOf('/');
  const prefix = slash > 0 ? repository.slice(0, slash) : undefined;
  // A name through Customs' door follows the door's rule (`prod/team/app`);
  // a name of the upstream registry itself is a plain repository.
  if (
    ref.registry !== options.upstreamHost &&
    prefix &&
    options.environments.has(prefix)
  ) {
    repository = repository.slice(slash + 1);
    environment ??= prefix;
  }
  environment ??= options.defaultEnvironment;
  if (ref.digest) return { image, environment, repository, digest: ref.digest };
  const tag = ref.tag ?? 'latest';
  const digest = await options.resolveTag(
    repository,
    tag,
    MANIFEST_MEDIA_TYPES,
  );
  if (!digest) throw new Error(`tag ${tag} of ${repository} does not exist`);
  return { image, environment, repository, digest };
}
