import { stringify } from 'csv-stringify/sync';
import express, { type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import type { AuditEntry } from '../../../lib/storage/admin-ports.js';
import type { Deps } from '../deps.js';
import { sendError } from './errors.js';

const time = z.iso.datetime({ offset: true });

const auditQuery = z.strictObject({
  actor: z.string().min(1).optional(),
  action: z.string().min(1).optional(),
  since: time.optional(),
  until: time.optional(),
  limit: z.coerce.number().int().min(1).max(10_000).default(100),
  cursor: z.coerce.number().int().positive().optional(),
  format: z.enum(['json', 'ndjson', 'csv']).default('json'),
});

const CSV_COLUMNS = [
  'id',
  'at',
  'actor',
  'action',
  'target',
  'before',
  'after',
];

/**
 * `GET /api/v1/audit`: every admin action and verdict change, newest
 * first, filtered and paged (`next` is the cursor of the following page);
 * `format=ndjson|csv` exports the same page as a file.
 */
export function auditRoutes(deps: Deps): Router {
  const router = express.Router();
  router.get('/api/v1/audit', async (req: Request, res: Response) => {
    const q = auditQuery.safeParse(req.query);
    if (!q.success)
      return sendError(
        res,
        400,
        'QUERY_INVALID',
        q.error.issues
          .map((i) => `${i.path.join('.')}: ${i.message}`)
          .join('; '),
      );
    const { format, cursor, ...filters } = q.data;
    const page = await deps.stores.audit.query({ ...filters, before: cursor });
    if (page.next !== undefined) res.set('X-Next-Cursor', String(page.next));
    if (format === 'ndjson') {
      res.type('application/x-ndjson');
      return void res.send(
        page.entries.map((e) => `${JSON.stringify(e)}\n`).join(''),
      );
    }
    if (format === 'csv') {
      res.type('text/csv');
      res.attachment('audit.csv');
      return void res.send(toCsv(page.entries));
    }
    res.json({ entries: page.entries, next: page.next ?? null });
  });
  return router;
}

function toCsv(entries: AuditEntry[]): string {
  return stringify(
    entries.map((e) => [
      e.id,
      e.at,
      e.actor,
      e.action,
      e.target,
      JSON.stringify(e.before),
      JSON.stringify(e.after),
    ]),
    { header: true, columns: CSV_COLUMNS },
  );
}
