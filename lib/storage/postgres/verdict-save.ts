import { randomUUID } from 'node:crypto';
import type { Digest } from '../../core/digest.js';
import type { VerdictStatus } from '../../core/verdict.js';
import type { SqlClient } from '../database.js';
import type { VerdictChange, VerdictInput } from '../ports.js';

/** CloudEvents `type` of the outbox events verdict changes write. */
export const VERDICT_CHANGED_EVENT = 'customs.verdict.changed';

/** A verdict whose status moved, and the status it moved from. */
interface Moved {
  verdict: VerdictInput;
  oldStatus: VerdictStatus | null;
}

/**
 * Stores verdicts inside the caller's transaction with a fixed number of
 * statements, whatever their count: lock the current rows, upsert all,
 * then write a change row and an outbox event (with a delivery per known
 * sink) for each whose status moved. A later verdict for the same
 * (repository, digest, environment) in the list wins. Returns the changes.
 */
export async function saveVerdicts(
  tx: SqlClient,
  input: VerdictInput[],
  cause: string,
): Promise<VerdictChange[]> {
  const verdicts = lastOfEach(input);
  if (verdicts.length === 0) return [];
  const old = await lockCurrent(tx, verdicts);
  await upsertVerdicts(tx, verdicts);
  const moved = verdicts
    .map((verdict) => ({ verdict, oldStatus: old.get(keyOf(verdict)) ?? null }))
    .filter((m) => m.oldStatus !== m.verdict.status);
  if (moved.length > 0) {
    await insertChanges(tx, moved, cause);
    await insertOutboxEvents(tx, moved, cause);
  }
  return moved.map(({ verdict: v, oldStatus }) => ({
    repository: v.repository,
    digest: v.digest,
    environment: v.environment,
    oldStatus,
    newStatus: v.status,
    cause,
  }));
}

function keyColumns(verdicts: VerdictInput[]): string[][] {
  return [
    verdicts.map((v) => v.repository),
    verdicts.map((v) => v.digest),
    verdicts.map((v) => v.environment),
  ];
}

/** The stored status of each verdict's key, rows locked (in key order). */
async function lockCurrent(
  tx: SqlClient,
  verdicts: VerdictInput[],
): Promise<Map<string, VerdictStatus>> {
  const { rows } = await tx.query<{
    repository: string;
    digest: Digest;
    environment: string;
    status: VerdictStatus;
  }>(
    `SELECT v.repository, v.digest, v.environment, v.status FROM verdicts v
     JOIN unnest($1::text[], $2::text[], $3::text[]) AS k(repository, digest, environment)
       ON v.repository = k.repository AND v.digest = k.digest AND v.environment = k.environment
     ORDER BY v.repository, v.digest, v.environment FOR UPDATE OF v`,
    keyColumns(verdicts),
  );
  return new Map(rows.map((r) => [keyOf(r), r.status]));
}

/**
 * One statement whose parameter is a JSON document of the rows (one
 * native JSON.stringify for thousands of verdicts, reasons included).
 */
async function upsertVerdicts(
  tx: SqlClient,
  verdicts: VerdictInput[],
): Promise<void> {
  await tx.query(
    `INSERT INTO verdicts (id, repository, digest, environment, status, reasons, rules_version, snapshot_id)
     SELECT u.id, u.repository, u.digest, u.environment, u.status, u.reasons, u.rules_version,
       u.snapshot_id
     FROM json_to_recordset($1::json) AS u(id text, repository text, digest text,
       environment text, status text, reasons jsonb, rules_version text, snapshot_id int)
     ON CONFLICT (repository, digest, environment) DO UPDATE SET id = EXCLUDED.id,
       status = EXCLUDED.status, reasons = EXCLUDED.reasons,
       rules_version = EXCLUDED.rules_version, snapshot_id = EXCLUDED.snapshot_id,
       computed_at = now()`,
    [
      JSON.stringify(
        verdicts.map((v) => ({
          id: randomUUID(),
          repository: v.repository,
          digest: v.digest,
          environment: v.environment,
          status: v.status,
          reasons: v.reasons,
          rules_version: v.rulesVersion,
          snapshot_id: v.snapshotId,
        })),
      ),
    ],
  );
}

async function insertChanges(
  tx: SqlClient,
  moved: Moved[],
  cause: string,
): Promise<void> {
  const verdicts = moved.map((m) => m.verdict);
  await tx.query(
    `INSERT INTO verdict_changes (repository, digest, environment, old_status, new_status, reasons, cause)
     SELECT u.repository, u.digest, u.environment, u.old_status, u.new_status, u.reasons::jsonb, $7
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
       AS u(repository, digest, environment, old_status, new_status, reasons)`,
    [
      ...keyColumns(verdicts),
      moved.map((m) => m.oldStatus),
      verdicts.map((v) => v.status),
      verdicts.map((v) => JSON.stringify(v.reasons)),
      cause,
    ],
  );
}

/**
 * One `customs.verdict.changed` event per change, each with a delivery
 * per sink known now: a sink that is down finds every event waiting for
 * it when it comes back.
 */
async function insertOutboxEvents(
  tx: SqlClient,
  moved: Moved[],
  cause: string,
): Promise<void> {
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
      moved.map(({ verdict: v }) => `${v.repository}@${v.digest}`),
      moved.map(({ verdict: v, oldStatus }) =>
        JSON.stringify({
          repository: v.repository,
          digest: v.digest,
          environment: v.environment,
          old: oldStatus,
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
