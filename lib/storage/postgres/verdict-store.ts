import { randomUUID } from 'node:crypto';
import type { Digest } from '../../core/digest.js';
import type {
  Verdict,
  VerdictReason,
  VerdictStatus,
} from '../../core/verdict.js';
import type { Database, SqlClient } from '../database.js';
import type { VerdictChange, VerdictInput, VerdictStore } from '../ports.js';

/** Channel on which verdict writes are announced (cache invalidation). */
export const VERDICT_CHANNEL = 'customs_verdicts';

/** Verdicts per (repository, digest, environment) and their change history. */
export function createVerdictStore(db: Database): VerdictStore {
  return {
    async get(repository, digest, environment) {
      const { rows } = await db.query<Row>(
        'SELECT * FROM verdicts WHERE repository = $1 AND digest = $2 AND environment = $3',
        [repository, digest, environment],
      );
      return rows[0] ? toVerdict(rows[0]) : undefined;
    },

    async list(repository, digest) {
      const { rows } = await db.query<Row>(
        'SELECT * FROM verdicts WHERE repository = $1 AND digest = $2 ORDER BY environment',
        [repository, digest],
      );
      return rows.map(toVerdict);
    },

    async save(verdicts, cause) {
      const changes = await db.transaction(async (tx) => {
        const out: VerdictChange[] = [];
        for (const v of verdicts) {
          const change = await saveOne(tx, v, cause);
          if (change) out.push(change);
        }
        return out;
      });
      const images = [
        ...new Set(verdicts.map((v) => `${v.repository}@${v.digest}`)),
      ];
      if (images.length > 0)
        await db.notify(VERDICT_CHANNEL, JSON.stringify(images));
      return changes;
    },

    async history(repository, digest) {
      const { rows } = await db.query<ChangeRow>(
        `SELECT * FROM verdict_changes WHERE repository = $1 AND digest = $2 ORDER BY id`,
        [repository, digest],
      );
      return rows.map((r) => ({
        repository: r.repository,
        digest: r.digest,
        environment: r.environment,
        oldStatus: r.old_status,
        newStatus: r.new_status,
        cause: r.cause,
        changedAt: r.changed_at.toISOString(),
      }));
    },
  };
}

async function saveOne(
  tx: SqlClient,
  v: VerdictInput,
  cause: string,
): Promise<VerdictChange | undefined> {
  const previous = await tx.query<{ status: VerdictStatus }>(
    `SELECT status FROM verdicts WHERE repository = $1 AND digest = $2 AND environment = $3 FOR UPDATE`,
    [v.repository, v.digest, v.environment],
  );
  const oldStatus = previous.rows[0]?.status ?? null;
  await tx.query(
    `INSERT INTO verdicts (id, repository, digest, environment, status, reasons, rules_version, snapshot_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     ON CONFLICT (repository, digest, environment) DO UPDATE SET id = EXCLUDED.id, status = EXCLUDED.status,
       reasons = EXCLUDED.reasons, rules_version = EXCLUDED.rules_version,
       snapshot_id = EXCLUDED.snapshot_id, computed_at = now()`,
    [
      randomUUID(),
      v.repository,
      v.digest,
      v.environment,
      v.status,
      JSON.stringify(v.reasons),
      v.rulesVersion,
      v.snapshotId,
    ],
  );
  if (oldStatus === v.status) return undefined;
  await tx.query(
    `INSERT INTO verdict_changes (repository, digest, environment, old_status, new_status, reasons, cause)
     VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [
      v.repository,
      v.digest,
      v.environment,
      oldStatus,
      v.status,
      JSON.stringify(v.reasons),
      cause,
    ],
  );
  return {
    repository: v.repository,
    digest: v.digest,
    environment: v.environment,
    oldStatus,
    newStatus: v.status,
    cause,
  };
}

interface Row {
  id: string;
  repository: string;
  digest: Digest;
  environment: string;
  status: VerdictStatus;
  reasons: VerdictReason[];
  rules_version: string;
  snapshot_id: number | null;
  computed_at: Date;
}

function toVerdict(r: Row): Verdict {
  return {
    id: r.id,
    repository: r.repository,
    digest: r.digest,
    environment: r.environment,
    status: r.status,
    reasons: r.reasons,
    rulesVersion: r.rules_version,
    snapshotId: r.snapshot_id,
    computedAt: r.computed_at.toISOString(),
  };
}

interface ChangeRow {
  repository: string;
  digest: Digest;
  environment: string;
  old_status: VerdictStatus | null;
  new_status: VerdictStatus;
  cause: string;
  changed_at: Date;
}
