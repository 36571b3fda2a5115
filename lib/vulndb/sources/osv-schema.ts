import { z } from 'zod';

/**
 * zod schema of an OSV record, schema 1.7
 * (https://ossf.github.io/osv-schema/ and its validation/schema.json).
 * Only `id` and `modified` are required. Unknown fields are accepted and
 * dropped: OSV clients must ignore fields of newer minor versions. The
 * arrays the JSON schema allows to be `null` (aliases, severity, affected,
 * references) are accepted as null.
 */

const EVENT_KEYS = ['introduced', 'fixed', 'last_affected', 'limit'] as const;
type EventKey = (typeof EVENT_KEYS)[number];

const nonEmpty = z.string().min(1, 'must not be empty');
const dateTime = z.iso.datetime({
  offset: true,
  message: 'must be an RFC 3339 date-time',
});
const jsonObject = z.record(z.string(), z.unknown());

const severitySchema = z.object({ type: nonEmpty, score: nonEmpty });

/** One event object: exactly one of the four event keys (spec "Requirements"). */
const eventSchema = jsonObject.transform((event, ctx): OsvEvent => {
  const keys = EVENT_KEYS.filter((k) => k in event);
  const key = keys[0];
  if (keys.length !== 1 || key === undefined) {
    ctx.addIssue({
      code: 'custom',
      message: `an event must have exactly one of ${EVENT_KEYS.join(', ')}`,
    });
    return z.NEVER;
  }
  const value = event[key];
  if (typeof value !== 'string' || value === '') {
    ctx.addIssue({
      code: 'custom',
      path: [key],
      message: 'an event version must be a non-empty string',
    });
    return z.NEVER;
  }
  // The computed key loses the pairing of key and value type.
  return { [key]: value } as OsvEvent;
});

/** An event as the internal model spells it. */
export type OsvEvent =
  | { introduced: string }
  | { fixed: string }
  | { last_affected: string }
  | { limit: string };

const rangeSchema = z
  .object({
    type: z.enum(['ECOSYSTEM', 'SEMVER', 'GIT']),
    repo: z.string().optional(),
    events: z.array(eventSchema).min(1, 'a range needs at least one event'),
    database_specific: jsonObject.optional(),
  })
  .superRefine((range, ctx) => {
    const has = (k: EventKey): boolean => range.events.some((e) => k in e);
    if (!has('introduced')) {
      ctx.addIssue({
        code: 'custom',
        path: ['events'],
        message: 'a range needs an introduced event',
      });
    }
    if (has('fixed') && has('last_affected')) {
      ctx.addIssue({
        code: 'custom',
        path: ['events'],
        message: 'a range cannot have both fixed and last_affected events',
      });
    }
    if (range.type === 'GIT' && (range.repo ?? '') === '') {
      ctx.addIssue({
        code: 'custom',
        path: ['repo'],
        message: 'a GIT range needs a repo',
      });
    }
  });

const affectedSchema = z.object({
  package: z
    .object({
      ecosystem: nonEmpty,
      name: nonEmpty,
      purl: z.string().optional(),
    })
    .optional(),
  severity: z.array(severitySchema).nullish(),
  ranges: z.array(rangeSchema).nullish(),
  versions: z.array(z.string()).nullish(),
  ecosystem_specific: jsonObject.nullish(),
  database_specific: jsonObject.nullish(),
});

/** Older drafts allowed `related` objects `{ type, id }`; keep the id. */
const relatedSchema = z.union([
  z.string(),
  z.object({ id: nonEmpty }).transform((r) => r.id),
]);

/** The OSV record schema. */
export const osvRecordSchema = z.object({
  schema_version: z.string().optional(),
  id: nonEmpty,
  modified: dateTime,
  published: dateTime.optional(),
  withdrawn: dateTime.optional(),
  aliases: z.array(z.string()).nullish(),
  upstream: z.array(z.string()).nullish(),
  related: z.array(relatedSchema).nullish(),
  summary: z.string().optional(),
  details: z.string().optional(),
  severity: z.array(severitySchema).nullish(),
  affected: z.array(affectedSchema).nullish(),
  database_specific: jsonObject.nullish(),
});

/** A validated OSV record, as the schema outputs it. */
export type OsvRecord = z.infer<typeof osvRecordSchema>;
