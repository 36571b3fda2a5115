import { createHash } from 'node:crypto';
import { z } from 'zod';
import { isDigest } from '../core/digest.js';
import { isRepositoryName } from '../core/reference.js';
import {
  envelopeInvalid,
  parseJsonBody,
  type IntakeEvent,
} from './intake-event.js';

const resource = z.looseObject({
  digest: z.string().refine(isDigest, 'invalid digest').optional(),
  tag: z.string().max(128).optional(),
  resource_url: z.string().optional(),
});
// Replication, retention and quota events carry no repository.
const eventData = z.looseObject({
  resources: z.array(resource).max(1000).nullish(),
  repository: z
    .looseObject({
      repo_full_name: z
        .string()
        .refine(isRepositoryName, 'invalid repository name'),
    })
    .optional(),
});
const defaultFormat = z.looseObject({
  type: z.string().min(1),
  occur_at: z.number(),
  event_data: eventData,
});
const cloudEvent = z.looseObject({
  specversion: z.literal('1.0'),
  id: z.string().min(1).max(256),
  type: z.string().min(1),
  data: eventData,
});

/** Harbor's Default types and CloudEvents types, as intake actions. */
const ACTIONS: Record<string, string> = {
  PUSH_ARTIFACT: 'push',
  PULL_ARTIFACT: 'pull',
  DELETE_ARTIFACT: 'delete',
  'harbor.artifact.pushed': 'push',
  'harbor.artifact.pulled': 'pull',
  'harbor.artifact.deleted': 'delete',
};

/**
 * Parses a Harbor webhook: the "Default" JSON format or the "CloudEvents"
 * format (structured mode, `application/cloudevents+json`), both with the
 * artifacts in `resources`. The Default format carries no event id, so one
 * is derived from the event's content (a redelivery is the same bytes).
 * Throws IntakeError('ENVELOPE_INVALID') naming each problem.
 */
export function parseHarborWebhook(raw: Buffer): IntakeEvent[] {
  const doc = parseJsonBody(raw);
  if (typeof doc === 'object' && doc !== null && 'specversion' in doc) {
    const parsed = cloudEvent.safeParse(doc);
    if (!parsed.success)
      throw envelopeInvalid('Harbor CloudEvent', parsed.error.issues);
    return toEvents(parsed.data.id, parsed.data.type, parsed.data.data, doc);
  }
  const parsed = defaultFormat.safeParse(doc);
  if (!parsed.success)
    throw envelopeInvalid('Harbor webhook', parsed.error.issues);
  const id = createHash('sha256').update(raw).digest('hex');
  return toEvents(id, parsed.data.type, parsed.data.event_data, doc);
}

function toEvents(
  id: string,
  type: string,
  data: z.infer<typeof eventData>,
  body: unknown,
): IntakeEvent[] {
  const action = ACTIONS[type] ?? type;
  const resources = data.resources ?? [];
  if (!data.repository || resources.length === 0) {
    // Not about an artifact: one event, counted and ignored.
    return [
      {
        id,
        action,
        repository: '',
        digest: undefined,
        tag: undefined,
        mediaType: undefined,
        isManifest: false,
        body,
      },
    ];
  }
  const repository = data.repository.repo_full_name;
  return resources.map((r, i) => ({
    id: resources.length === 1 ? id : `${id}#${i}`,
    action,
    repository,
    digest: r.digest,
    // Harbor puts the digest in `tag` when an artifact is pushed by digest.
    tag: r.tag && r.tag !== r.digest && !isDigest(r.tag) ? r.tag : undefined,
    mediaType: undefined,
    // Harbor artifacts are manifests (images, indexes, signatures, charts).
    isManifest: true,
    body,
  }));
}
