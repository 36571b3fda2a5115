import type { Response } from 'express';
import type { Deps } from '../deps.js';
import { actorOf } from './admin-auth.js';

/** Records an admin action of the authenticated caller in the audit log. */
export async function auditAction(
  deps: Pick<Deps, 'stores'>,
  res: Response,
  entry: { action: string; target: string; before?: unknown; after?: unknown },
): Promise<void> {
  await deps.stores.audit.append([
    {
      actor: actorOf(res).name,
      action: entry.action,
      target: entry.target,
      before: entry.before ?? null,
      after: entry.after ?? null,
    },
  ]);
}
