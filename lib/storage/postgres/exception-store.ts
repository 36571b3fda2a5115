import type { PolicyException } from '../../core/overrides.js';
import { expiredBetween, listExpiring } from './expiring-rows.js';
import type { Database } from '../database.js';
import type { ExceptionStore, ImageName } from '../admin-ports.js';

/** Per-finding exceptions, and the images they concern. */
export function createExceptionStore(db: Database): ExceptionStore {
  return {
    async create(e) {
      const { rows } = await db.query<Row>(
        `INSERT INTO policy_exceptions (advisory_id, package, scope_digest,
           scope_repository, scope_environments, owner, justification,
           expires_at, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING *`,
        [
          e.advisoryId,
          e.package,
          e.scope.digest ?? null,
          e.scope.repository ?? null,
          e.scope.environments ? JSON.stringify(e.scope.environments) : null,
          e.owner,
          e.justification,
          e.expiresAt,
          e.createdBy,
        ],
      );
      return toException(rows[0]!);
    },

    async list(o = {}) {
      return (
        await listExpiring<Row>(db, 'policy_exceptions', o.inForceAt)
      ).map(toException);
    },

    async revoke(id) {
      const { rows } = await db.query<Row>(
        `UPDATE policy_exceptions SET revoked_at = coalesce(revoked_at, now())
         WHERE id = $1 RETURNING *`,
        [id],
      );
      return rows[0] ? toException(rows[0]) : undefined;
    },

    async imagesWithAdvisory(advisoryId) {
      const { rows } = await db.query<ImageName>(
        `SELECT DISTINCT rm.repository, rm.digest
         FROM findings f JOIN repository_manifests rm ON rm.digest = f.image_digest
         WHERE upper(f.advisory_id) = upper($1)
            OR upper($1) = ANY (SELECT upper(a) FROM unnest(f.aliases) a)
         ORDER BY rm.repository, rm.digest`,
        [advisoryId],
      );
      return rows;
    },

    async imagesCiting(exceptionId) {
      const { rows } = await db.query<ImageName>(
        `SELECT DISTINCT repository, digest FROM verdicts
         WHERE reasons @> $1::jsonb ORDER BY repository, digest`,
        [
          JSON.stringify([
            { code: 'EXCEPTION_APPLIED', details: { exceptionId } },
          ]),
        ],
      );
      return rows;
    },

    async expiredBetween(since, until) {
      return (
        await expiredBetween<Row>(db, 'policy_exceptions', since, until)
      ).map(toException);
    },
  };
}

interface Row {
  id: number | string;
  advisory_id: string;
  package: string | null;
  scope_digest: PolicyException['scope']['digest'] | null;
  scope_repository: string | null;
  scope_environments: string[] | null;
  owner: string;
  justification: string;
  expires_at: Date;
  created_by: string;
  created_at: Date;
  revoked_at: Date | null;
}

function toException(r: Row): PolicyException {
  return {
    id: Number(r.id),
    advisoryId: r.advisory_id,
    package: r.package,
    scope: {
      ...(r.scope_digest ? { digest: r.scope_digest } : {}),
      ...(r.scope_repository ? { repository: r.scope_repository } : {}),
      ...(r.scope_environments ? { environments: r.scope_environments } : {}),
    },
    owner: r.owner,
    justification: r.justification,
    expiresAt: r.expires_at.toISOString(),
    createdBy: r.created_by,
    createdAt: r.created_at.toISOString(),
    revokedAt: r.revoked_at?.toISOString() ?? null,
  };
}
