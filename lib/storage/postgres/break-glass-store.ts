import type { BreakGlassGrant } from '../../core/overrides.js';
import { expiredBetween, listExpiring } from './expiring-rows.js';
import type { Database, SqlClient } from '../database.js';
import type { BreakGlassStore } from '../admin-ports.js';

/** CloudEvents `type`s announcing break-glass grants (outbox, like verdict changes). */
export const BREAK_GLASS_EVENTS = {
  granted: 'customs.breakglass.granted',
  revoked: 'customs.breakglass.revoked',
  expired: 'customs.breakglass.expired',
} as const;

/**
 * Break-glass grants: one digest, one environment, until an expiry. Each
 * grant, revocation and expiry is announced by an outbox event written in
 * the same transaction, with an event id derived from the grant, so an
 * expiry seen by several replicas is announced once.
 */
export function createBreakGlassStore(db: Database): BreakGlassStore {
  return {
    create: (g) =>
      db.transaction(async (tx) => {
        const grant = await insertGrant(tx, g);
        await announce(tx, 'granted', grant);
        return grant;
      }),

    async list(o = {}) {
      return (
        await listExpiring<Row>(db, 'break_glass_grants', o.inForceAt)
      ).map(toGrant);
    },

    revoke: (id) =>
      db.transaction(async (tx) => {
        const { rows } = await tx.query<Row>(
          `UPDATE break_glass_grants SET revoked_at = coalesce(revoked_at, now())
           WHERE id = $1 RETURNING *`,
          [id],
        );
        const grant = rows[0] ? toGrant(rows[0]) : undefined;
        if (grant) await announce(tx, 'revoked', grant);
        return grant;
      }),

    async expiredBetween(since, until) {
      return (
        await expiredBetween<Row>(db, 'break_glass_grants', since, until)
      ).map(toGrant);
    },

    async announceExpired(grant) {
      return announce(db, 'expired', grant);
    },
  };
}

async function insertGrant(
  tx: SqlClient,
  g: Parameters<BreakGlassStore['create']>[0],
): Promise<BreakGlassGrant> {
  const { rows } = await tx.query<Row>(
    `INSERT INTO break_glass_grants (repository, digest, environment,
       ticket, reason, expires_at, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *`,
    [
      g.repository,
      g.digest,
      g.environment,
      g.ticket,
      g.reason,
      g.expiresAt,
      g.createdBy,
    ],
  );
  return toGrant(rows[0]!);
}

/** Writes the event of `kind` for the grant unless already written; true when written. */
async function announce(
  tx: SqlClient,
  kind: keyof typeof BREAK_GLASS_EVENTS,
  grant: BreakGlassGrant,
): Promise<boolean> {
  const { rows } = await tx.query<{ id: number }>(
    `WITH o AS (
       INSERT INTO event_outbox (event_id, type, subject, data)
       VALUES ($1, $2, $3, $4::jsonb)
       ON CONFLICT (event_id) DO NOTHING RETURNING id),
     d AS (
       INSERT INTO event_deliveries (outbox_id, sink)
       SELECT o.id, s.name FROM o CROSS JOIN event_sinks s)
     SELECT id FROM o`,
    [
      `breakglass-${kind}-${grant.id}`,
      BREAK_GLASS_EVENTS[kind],
      `${grant.repository}@${grant.digest}`,
      JSON.stringify(grant),
    ],
  );
  return rows.length === 1;
}

interface Row {
  id: number | string;
  repository: string;
  digest: BreakGlassGrant['digest'];
  environment: string;
  ticket: string;
  reason: string;
  expires_at: Date;
  created_by: string;
  created_at: Date;
  revoked_at: Date | null;
}

function toGrant(r: Row): BreakGlassGrant {
  return {
    id: Number(r.id),
    repository: r.repository,
    digest: r.digest,
    environment: r.environment,
    ticket: r.ticket,
    reason: r.reason,
    expiresAt: r.expires_at.toISOString(),
    createdBy: r.created_by,
    createdAt: r.created_at.toISOString(),
    revokedAt: r.revoked_at?.toISOString() ?? null,
  };
}
