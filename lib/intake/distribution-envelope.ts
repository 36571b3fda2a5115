import { z } from 'zod';
import { isDigest, type Digest } from '../core/digest.js';
import { IntakeError } from '../core/errors.js';
import { isManifestMediaType } from '../core/media-types.js';
import { isRepositoryName } from '../core/reference.js';

/** Media types of CNCF Distribution notification envelopes (v2 = distribution 3.x). */
export const DISTRIBUTION_ENVELOPE_TYPES = [
  'application/vnd.docker.distribution.events.v1+json',
  'application/vnd.docker.distribution.events.v2+json',
] as const;

const digest = z.string().refine(isDigest, 'invalid digest');
const repository = z
  .string()
  .refine(isRepositoryName, 'invalid repository name');

// Unknown fields are allowed: the registry adds fields across versions.
const eventSchema = z.looseObject({
  id: z.string().min(1).max(256),
  timestamp: z.string().optional(),
  action: z.string().min(1),
  target: z.looseObject({
    mediaType: z.string().optional(),
    digest: digest.optional(),
    repository,
    tag: z.string().max(128).optional(),
    size: z.number().optional(),
    url: z.string().optional(),
  }),
});
const envelopeSchema = z.looseObject({
  events: z.array(eventSchema).max(1000),
});

export type DistributionEvent = z.infer<typeof eventSchema>;

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
  | { kind: 'ignore'; why: string };

/**
 * Tags of artifacts about an image: cosign's `sha256-<hex>.sig|.att|.sbom`,
 * and the OCI referrers tag schema's `sha256-<hex>` index (registries
 * without the referrers API, distribution-spec "Referrers Tag Schema").
 */
const COSIGN_TAG_RE = /^sha256-([a-f0-9]{64})(?:\.(sig|att|sbom))?$/;

/**
 * Parses a notification envelope from its raw body. Throws
 * IntakeError('ENVELOPE_INVALID') naming each problem.
 */
export function parseDistributionEnvelope(raw: Buffer): DistributionEvent[] {
  let doc: unknown;
  try {
    doc = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new IntakeError('ENVELOPE_INVALID', 'body is not valid JSON');
  }
  const parsed = envelopeSchema.safeParse(doc);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (i) => `${i.path.join('.') || '(root)'}: ${i.message}`,
    );
    throw new IntakeError(
      'ENVELOPE_INVALID',
      `invalid notification envelope: ${problems.join('; ')}`,
      { details: { problems } },
    );
  }
  return parsed.data.events;
}

/**
 * Decides what an event asks for: a manifest push is scanned; a push of a
 * cosign signature/attestation tag or of a referrers tag index re-evaluates
 * the image it names (a referrer pushed by digest is recognised by its
 * `subject` once fetched, see scan/processor.ts); pulls,
 * blob events, mounts and deletes are not acted on.
 */
export function intentOf(event: DistributionEvent): EventIntent {
  const { target } = event;
  if (event.action !== 'push')
    return { kind: 'ignore', why: `action ${event.action}` };
  if (!isManifestMediaType(target.mediaType))
    return { kind: 'ignore', why: 'not a manifest' };
  if (!target.digest)
    return { kind: 'ignore', why: 'manifest push without digest' };
  const cosign = target.tag ? COSIGN_TAG_RE.exec(target.tag) : null;
  if (cosign && target.tag) {
    return {
      kind: 'reevaluate',
      repository: target.repository,
      digest: `sha256:${cosign[1]}` as Digest,
      signatureDigest: target.digest,
      tag: target.tag,
    };
  }
  return {
    kind: 'scan',
    repository: target.repository,
    digest: target.digest,
    tag: target.tag,
  };
}
