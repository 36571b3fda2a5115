import type { Digest } from '../core/digest.js';
import { IntakeError } from '../core/errors.js';

/** One registry event, whatever registry sent it, as intake acts on it. */
export interface IntakeEvent {
  /** Unique per source; redeliveries carry the same id. */
  id: string;
  /** `push`, `pull`, `delete`, `mount`, … */
  action: string;
  repository: string;
  digest: Digest | undefined;
  tag: string | undefined;
  mediaType: string | undefined;
  /** The event is about a manifest (not a blob). */
  isManifest: boolean;
  /** The event as the registry sent it (stored). */
  body: unknown;
}

/** What intake does with one event. */
export type EventIntent =
  | {
      kind: 'scan';
      repository: string;
      digest: Digest;
      tag: string | undefined;
    }
  | {
      kind: 'reevaluate';
      repository: string;
      digest: Digest;
      signatureDigest: Digest;
      tag: string;
    }
  | {
      /**
       * The registry deleted a manifest (`digest`) or a tag (`tag`); with
       * both, the tag went and the digest may have gone with it (Harbor
       * deletes the artifact, zot drops an untagged manifest): the upstream
       * is asked.
       */
      kind: 'delete';
      repository: string;
      digest: Digest | undefined;
      tag: string | undefined;
    }
  | { kind: 'ignore'; why: string };

/**
 * Tags of artifacts about an image: cosign's `sha256-<hex>.sig|.att|.sbom`,
 * and the OCI referrers tag schema's `sha256-<hex>` index (registries
 * without the referrers API, distribution-spec "Referrers Tag Schema").
 */
const COSIGN_TAG_RE = /^sha256-([a-f0-9]{64})(?:\.(sig|att|sbom))?$/;

/**
 * Decides what an event asks for: a manifest push is scanned; a push of a
 * cosign signature/attestation tag or of a referrers tag index re-evaluates
 * the image it names (a referrer pushed by digest is recognised by its
 * `subject` once fetched, see scan/processor.ts); a delete of a manifest
 * or tag makes Customs forget it (registries do not always say whether a
 * deleted digest was a manifest or a blob: forgetting a blob digest finds
 * no image and does nothing); pulls, blob pushes and mounts are not acted on.
 */
export function intentOf(event: IntakeEvent): EventIntent {
  if (event.action === 'delete') {
    if (!event.digest && !event.tag)
      return { kind: 'ignore', why: 'delete without digest or tag' };
    return {
      kind: 'delete',
      repository: event.repository,
      digest: event.digest,
      tag: event.tag,
    };
  }
  if (event.action !== 'push')
    return { kind: 'ignore', why: `action ${event.action}` };
  if (!event.isManifest) return { kind: 'ignore', why: 'not a manifest' };
  if (!event.digest)
    return { kind: 'ignore', why: 'manifest push without digest' };
  const cosign = event.tag ? COSIGN_TAG_RE.exec(event.tag) : null;
  if (cosign && event.tag) {
    return {
      kind: 'reevaluate',
      repository: event.repository,
      digest: `sha256:${cosign[1]}` as Digest,
      signatureDigest: event.digest,
      tag: event.tag,
    };
  }
  return {
    kind: 'scan',
    repository: event.repository,
    digest: event.digest,
    tag: event.tag,
  };
}

/** Parses a JSON body or throws IntakeError('ENVELOPE_INVALID'). */
export function parseJsonBody(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    throw new IntakeError('ENVELOPE_INVALID', 'body is not valid JSON');
  }
}

/** An IntakeError naming each problem of a schema check. */
export function envelopeInvalid(
  what: string,
  issues: Array<{ path: PropertyKey[]; message: string }>,
): IntakeError {
  const problems = issues.map(
    (i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`,
  );
  return new IntakeError(
    'ENVELOPE_INVALID',
    `invalid ${what}: ${problems.join('; ')}`,
    { details: { problems } },
  );
}
