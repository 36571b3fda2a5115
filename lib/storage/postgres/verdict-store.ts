import type { Digest } from '../../core/digest.js';
import type {
  Verdict,
  VerdictReason,
  VerdictStatus,
} from '../../core/verdict.js';
import type { Database } from '../database.js';
import type { VerdictStore } from '../ports.js';
import { saveVerdicts } from './verdict-save.js';

export { VERDICT_CHANGED_EVENT } from './verdict-save.js';

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
        saveVerdicts(tx, verdicts, cause),
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
