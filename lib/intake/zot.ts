import type { IncomingHttpHeaders } from 'node:http';
import { z } from 'zod';
import { isDigest } from '../core/digest.js';
import { isRepositoryName } from '../core/reference.js';
import {
  envelopeInvalid,
  parseJsonBody,
  type IntakeEvent,
} from './intake-event.js';

const data = z.looseObject({
  name: z.string().refine(isRepositoryName, 'invalid repository name'),
  reference: z.string().max(256).optional(),
  digest: z.string().refine(isDigest, 'invalid digest').optional(),
  mediaType: z.string().optional(),
});

const ACTIONS: Record<string, string> = {
  'zotregistry.image.updated': 'push',
  'zotregistry.image.deleted': 'delete',
};

/**
 * Parses a zot event: a CloudEvent in binary mode (zot's HTTP sink), the
 * context in `Ce-*` headers and the event's `data` as the body; a
 * structured-mode CloudEvent is accepted too. Throws
 * IntakeError('ENVELOPE_INVALID') naming each problem.
 */
export function parseZotEvent(
  raw: Buffer,
  headers: IncomingHttpHeaders,
): IntakeEvent[] {
  const doc = parseJsonBody(raw) as Record<string, unknown> | null;
  const structured =
    typeof doc === 'object' && doc !== null && doc.specversion === '1.0';
  const id = structured ? doc.id : headers['ce-id'];
  const type = structured ? doc.type : headers['ce-type'];
  const problems: Array<{ path: string[]; message: string }> = [];
  if (typeof id !== 'string' || id === '')
    problems.push({ path: ['ce-id'], message: 'missing event id' });
  if (typeof type !== 'string' || type === '')
    problems.push({ path: ['ce-type'], message: 'missing event type' });
  const parsed = data.safeParse(structured ? doc.data : doc);
  if (!parsed.success)
    problems.push(
      ...parsed.error.issues.map((i) => ({
        path: i.path.map(String),
        message: i.message,
      })),
    );
  if (problems.length > 0 || !parsed.success)
    throw envelopeInvalid('zot event', problems);
  const ref = parsed.data.reference;
  const digest = parsed.data.digest ?? (ref && isDigest(ref) ? ref : undefined);
  return [
    {
      id: id as string,
      action: ACTIONS[type as string] ?? (type as string),
      repository: parsed.data.name,
      digest: digest,
      tag: ref && !isDigest(ref) ? ref : undefined,
      mediaType: parsed.data.mediaType,
      isManifest: (type as string).startsWith('zotregistry.image.'),
      body: { type, id, data: parsed.data },
    },
  ];
}
