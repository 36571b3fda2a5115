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
      const changes = await db.transaction((tx) =>
        saveAll(tx, lastOfEach(verdicts), cause),
      );
      const images = [
        ...new Set(verdicts.map((v) => `${v.repository}@${v.digest}`)),
      ];
      for (const payload of notifyPayloads(images)) {
        await db.notify(VERDICT_CHANNEL, payload);
      }
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

/** PostgreSQL refuses NOTIFY payloads of 8000 bytes or more. */
const MAX_NOTIFY_BYTES = 7_000;

/**
 * The images as JSON arrays, each under the NOTIFY payload limit: a batch
 * of thousands of verdicts is announced in several notifications.
 */
export function notifyPayloads(images: string[]): string[] {
  const payloads: string[] = [];
  let current: string[] = [];
  let size = 2;
  for (const image of images) {
    const cost = Buffer.byteLength(JSON.stringify(image)) + 1;
    if (current.length > 0 && size + cost > MAX_NOTIFY_BYTES) {
      payloads.push(JSON.stringify(current));
      current = [];
      size = 2;
    }
    current.push(image);
    size += cost;
  }
  if (current.length > 0) payloads.push(JSON.stringify(current));
  return payloads;
}

/** CloudEvents `type` of the outbox events verdict changes write. */
export const VERDICT_CHANGED_EVENT = 'customs.verdict.changed';

/**
 * Stores every verdict with a fixed number of statements, whatever their
 * count: lock the current rows, upsert all, then write a change row and
 * an outbox event (in this same transaction) for each whose status moved.
 */
async function saveAll(
  tx: SqlClient,
  verdicts: VerdictInput[],
  cause: string,
): Promise<VerdictChange[]> {
  if (verdicts.length === 0) return [];
  const keys = [
    verdicts.map((v) => v.repository),
    verdicts.map((v) => v.digest),
    verdicts.map((v) => v.environment),
  ];
  const previous = await tx.query<{
    repository: string;
    digest: Digest;
    environment: string;
    status: VerdictStatus;
  }>(
    `SELECT v.repository, v.digest, v.environment, v.status FROM verdicts v
     JOIN unnest($1::text[], $2::text[], $3::text[]) AS k(repository, digest, environment)
       ON v.repository = k.repository AND v.digest = k.digest AND v.environment = k.environment
     ORDER BY v.repository, v.digest, v.environment FOR UPDATE OF v`,
    keys,
  );
  const old = new Map(previous.rows.map((r) => [keyOf(r), r.status]));
  await tx.query(
    `INSERT INTO verdicts (id, repository, digest, environment, status, reasons, rules_version, snapshot_id)
     SELECT u.id, u.repository, u.digest, u.environment, u.status, u.reasons::jsonb, u.rules_version,
       u.snapshot_id
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
       $7::text[], $8::int[]) AS u(id, repository, digest, environment, status, reasons,
       rules_version, snapshot_id)
     ON CONFLICT (repository, digest, environment) DO UPDATE SET id = EXCLUDED.id,
       status = EXCLUDED.status, reasons = EXCLUDED.reasons,
       rules_version = EXCLUDED.rules_version, snapshot_id = EXCLUDED.snapshot_id,
       computed_at = now()`,
    [
      verdicts.map(() => randomUUID()),
      ...keys,
      verdicts.map((v) => v.status),
      verdicts.map((v) => JSON.stringify(v.reasons)),
      verdicts.map((v) => v.rulesVersion),
      verdicts.map((v) => v.snapshotId),
    ],
  );
  const moved = verdicts.filter(
    (v) => (old.get(keyOf(v)) ?? null) !== v.status,
  );
  await recordChanges(tx, moved, old, cause);
  return moved.map((v) => ({
    repository: v.repository,
    digest: v.digest,
    environment: v.environment,
    oldStatus: old.get(keyOf(v)) ?? null,
    newStatus: v.status,
    cause,
  }));
}

/** The change history rows and their outbox events, in the caller's transaction. */
async function recordChanges(
  tx: SqlClient,
  moved: VerdictInput[],
  old: Map<string, VerdictStatus>,
  cause: string,
): Promise<void> {
  if (moved.length === 0) return;
  const oldOf = (v: VerdictInput): VerdictStatus | null =>
    old.get(keyOf(v)) ?? null;
  await tx.query(
    `INSERT INTO verdict_changes (repository, digest, environment, old_status, new_status, reasons, cause)
     SELECT u.repository, u.digest, u.environment, u.old_status, u.new_status, u.reasons::jsonb, $7
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
       AS u(repository, digest, environment, old_status, new_status, reasons)`,
    [
      moved.map((v) => v.repository),
      moved.map((v) => v.digest),
      moved.map((v) => v.environment),
      moved.map(oldOf),
      moved.map((v) => v.status),
      moved.map((v) => JSON.stringify(v.reasons)),
      cause,
    ],
  );
  // One delivery per sink known now, created with the event: a sink that
  // is down finds every event waiting for it when it comes back.
  await tx.query(
    `WITH o AS (
       INSERT INTO event_outbox (event_id, type, subject, data)
       SELECT u.event_id, $4, u.subject, u.data::jsonb
       FROM unnest($1::text[], $2::text[], $3::text[]) AS u(event_id, subject, data)
       RETURNING id)
     INSERT INTO event_deliveries (outbox_id, sink)
     SELECT o.id, s.name FROM o CROSS JOIN event_sinks s`,
    [
      moved.map(() => randomUUID()),
      moved.map((v) => `${v.repository}@${v.digest}`),
      moved.map((v) =>
        JSON.stringify({
          repository: v.repository,
          digest: v.digest,
          environment: v.environment,
          old: oldOf(v),
          new: v.status,
          reasons: v.reasons,
          cause,
          snapshotId: v.snapshotId,
          rulesVersion: v.rulesVersion,
        }),
      ),
      VERDICT_CHANGED_EVENT,
    ],
  );
}

function keyOf(v: {
  repository: string;
  digest: string;
  environment: string;
}): string {
  return `${v.repository}\u0000${v.digest}\u0000${v.environment}`;
}

/** One verdict per key: a later one in the list replaces an earlier one. */
function lastOfEach(verdicts: VerdictInput[]): VerdictInput[] {
  return [...new Map(verdicts.map((v) => [keyOf(v), v])).values()];
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
