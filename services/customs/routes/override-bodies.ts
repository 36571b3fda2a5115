import { z } from 'zod';
import { isDigest } from '../../../lib/core/digest.js';

const digest = z
  .string()
  .refine(isDigest, 'must be a digest (sha256:<64 hex>)');
const time = z.iso.datetime({ offset: true });
const text = z.string().trim().min(1).max(2000);

/** Body of `POST /api/v1/exceptions` (and its preview). */
export const exceptionBody = z.strictObject({
  advisoryId: z.string().trim().min(1).max(200),
  package: z.string().trim().min(1).max(200).optional(),
  scope: z.strictObject({
    digest: digest.optional(),
    repository: z.string().trim().min(1).max(255).optional(),
    environments: z.array(z.string().min(1)).min(1).optional(),
  }),
  owner: z.string().trim().min(1).max(200),
  justification: text,
  expiresAt: time,
});

/** Body of `POST /api/v1/break-glass`. */
export const breakGlassBody = z.strictObject({
  repository: z.string().trim().min(1).max(255),
  digest,
  environment: z.string().min(1),
  ticket: z.string().trim().min(1).max(200),
  reason: text,
  expiresAt: time,
});

/** `?active=true|false` of the list routes. */
export const activeQuery = z.object({
  active: z.enum(['true', 'false']).optional(),
});

/** A numeric `:id` path parameter. */
export const idParam = z.coerce.number().int().positive();
