import { z } from 'zod';
import { isDigest } from '../core/digest.js';
import { isManifestMediaType } from '../core/media-types.js';
import { isRepositoryName } from '../core/reference.js';
import {
  envelopeInvalid,
  parseJsonBody,
  type IntakeEvent,
} from './intake-event.js';

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

/**
 * Parses a notification envelope from its raw body. Throws
 * IntakeError('ENVELOPE_INVALID') naming each problem.
 */
export function parseDistributionEnvelope(raw: Buffer): DistributionEvent[] {
  const parsed = envelopeSchema.safeParse(parseJsonBody(raw));
  if (!parsed.success)
    throw envelopeInvalid('notification envelope', parsed.error.issues);
  return parsed.data.events;
}

/** The source-neutral form of Distribution events. */
export function distributionToIntake(
  events: DistributionEvent[],
): IntakeEvent[] {
  return events.map((e) => ({
    id: e.id,
    action: e.action,
    repository: e.target.repository,
    digest: e.target.digest,
    tag: e.target.tag,
    mediaType: e.target.mediaType,
    isManifest: isManifestMediaType(e.target.mediaType),
    body: e,
  }));
}
