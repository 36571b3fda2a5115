import type { Request, Response } from 'express';
import type { z } from 'zod';
import { sendError } from './errors.js';

/**
 * The request body parsed by `schema`, or undefined after answering 400
 * `BODY_INVALID` with every problem named by its field path.
 */
export function parseBody<S extends z.ZodType>(
  schema: S,
  req: Request,
  res: Response,
): z.infer<S> | undefined {
  const parsed = schema.safeParse(req.body ?? {});
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map(
    (i) => `${i.path.join('.') || '(body)'}: ${i.message}`,
  );
  sendError(res, 400, 'BODY_INVALID', problems.join('; '), { problems });
  return undefined;
}
