import { isDigest, type Digest } from './digest.js';
import { ReferenceError } from './errors.js';

/**
 * Repository name grammar of the OCI distribution spec ("Pulling manifests":
 * `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(\/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*`).
 */
const NAME_RE =
  /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*$/;
const TAG_RE = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/;
const MAX_NAME_LENGTH = 255;

/** True for a valid repository name. */
export function isRepositoryName(name: string): boolean {
  return name.length <= MAX_NAME_LENGTH && NAME_RE.test(name);
}

/** True for a valid tag. */
export function isTag(tag: string): boolean {
  return TAG_RE.test(tag);
}

/** A manifest reference: a tag or a digest. */
export type ManifestRef =
  { kind: 'tag'; tag: string } | { kind: 'digest'; digest: Digest };

/** Parses the `<reference>` path segment of `/v2/<name>/manifests/<reference>`. */
export function parseManifestRef(reference: string): ManifestRef {
  if (reference.includes(':')) {
    if (!isDigest(reference)) {
      throw new ReferenceError(
        'DIGEST_INVALID',
        `invalid digest: ${reference}`,
      );
    }
    return { kind: 'digest', digest: reference };
  }
  if (!isTag(reference)) {
    throw new ReferenceError('REFERENCE_INVALID', `invalid tag: ${reference}`);
  }
  return { kind: 'tag', tag: reference };
}

/** A parsed image reference as pods and users write it. */
export interface ImageReference {
  /** Registry host (with port) when the reference names one. */
  registry: string | undefined;
  repository: string;
  tag: string | undefined;
  digest: Digest | undefined;
}

/**
 * Parses `[host[:port]/]repo[:tag][@digest]`. The first path component is a
 * registry host when it contains `.` or `:` or is `localhost` (the rule
 * docker and distribution's `reference` package use).
 */
export function parseImageReference(input: string): ImageReference {
  let rest = input.trim();
  let digest: Digest | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    const d = rest.slice(at + 1);
    if (!isDigest(d))
      throw new ReferenceError('DIGEST_INVALID', `invalid digest in ${input}`);
    digest = d;
    rest = rest.slice(0, at);
  }
  let registry: string | undefined;
  const slash = rest.indexOf('/');
  if (slash > 0) {
    const first = rest.slice(0, slash);
    if (first.includes('.') || first.includes(':') || first === 'localhost') {
      registry = first;
      rest = rest.slice(slash + 1);
    }
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > 0) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!isTag(tag))
      throw new ReferenceError('REFERENCE_INVALID', `invalid tag in ${input}`);
  }
  if (!isRepositoryName(rest)) {
    throw new ReferenceError(
      'NAME_INVALID',
      `invalid repository name in ${input}`,
    );
  }
  if (tag === undefined && digest === undefined) tag = 'latest';
  return { registry, repository: rest, tag, digest };
}

/** `repo@digest`, the canonical name of an image in Customs. */
export function formatPinned(repository: string, digest: Digest): string {
  return `${repository}@${digest}`;
}
