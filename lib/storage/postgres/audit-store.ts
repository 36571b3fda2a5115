import type { Database } from '../database.js';
import type { AuditEntry, AuditLog } from '../admin-ports.js';
import { insertRows } from './insert-rows.js';

/** The audit log: append-only, read newest first with an id cursor. */
export function createAuditLog(db: Database): AuditLog {
  return {
    async append(entries) {
      if (entries.length === 0) return;
      await insertRows(
        db,
        'audit_log',
        ['actor', 'action', 'target', 'before', 'after'],
        entries.map((e) => [
          e.actor,
          e.action,
          e.target,
          jsonOrNull(e.before),
          jsonOrNull(e.after),
        ]),
      );
    },

    async query(q) {
      const where: string[] = [];
      const params: unknown[] = [];
      const add = (sql: string, value: unknown) => {
        params.push(value);
        where.push(sql.replace('?', `$${params.length}`));
      };
      if (q.actor !== undefined) add('actor = ?', q.actor);
      if (q.action !== undefined) add('action = ?', q.action);
      if (q.since !== undefined) add('at >= ?', q.since);
      if (q.until !== undefined) add('at < ?', q.until);
      if (q.before !== undefined) add('id < ?', q.before);
      params.push(q.limit + 1);
      const { rows } = await db.query<Row>(
        `SELECT id, at, actor, action, target, before, after FROM audit_log
         ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
         ORDER BY id DESC LIMIT $${params.length}`,
        params,
      );
      const entries = rows.slice(0, q.limit).map(toEntry);
      const last = entries[entries.length - 1];
      return rows.length > q.limit && last
        ? { entries, next: last.id }
        : { entries };
    },
  };
}

interface Row {
  id: number | string;
  at: Date;
  actor: string;
  action: string;
  target: string;
  before: unknown;
  after: unknown;
}

function toEntry(r: Row): AuditEntry {
  return {
    id: Number(r.id),
    at: r.at.toISOString(),
    actor: r.actor,
    action: r.action,
    target: r.target,
    before: r.before ?? null,
    after: r.after ?? null,
  };
}

function jsonOrNull(value: unknown): string | null {
  return value === undefined || value === null ? null : JSON.stringify(value);
}
