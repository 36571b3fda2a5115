import type { Database } from '../database.js';
import type {
  IntakeStatus,
  OverviewStore,
  QueueStat,
} from '../overview-ports.js';
import { LISTED_IMAGE, listImages } from './overview-images.js';

/** Read models of the dashboard and `/metrics`, in plain SQL (pg and PGlite). */
export function createOverviewStore(db: Database): OverviewStore {
  return {
    async repositories() {
      const { rows } = await db.query<{
        repository: string;
        images: number;
        last_seen_at: Date;
      }>(
        `SELECT rm.repository, count(*)::int AS images, max(rm.first_seen_at) AS last_seen_at
         FROM repository_manifests rm JOIN manifests m ON m.digest = rm.digest
         WHERE ${LISTED_IMAGE}
         GROUP BY rm.repository ORDER BY rm.repository`,
      );
      return rows.map((r) => ({
        repository: r.repository,
        images: r.images,
        lastSeenAt: r.last_seen_at.toISOString(),
      }));
    },

    images: (query) => listImages(db, query),

    async intakeStatus(limit) {
      const [events, failures, queues] = await Promise.all([
        recentEvents(db, limit),
        failedScans(db, limit),
        queueStats(db),
      ]);
      return { events, failures, queues };
    },

    queues: () => queueStats(db),
  };
}

async function recentEvents(
  db: Database,
  limit: number,
): Promise<IntakeStatus['events']> {
  const { rows } = await db.query<{
    source: string;
    event_id: string;
    received_at: Date;
    action: string;
    repository: string;
    digest: string | null;
    tag: string | null;
    outcome: string;
  }>(
    `SELECT source, event_id, received_at, action, repository, digest, tag, outcome
     FROM webhook_events ORDER BY received_at DESC, event_id LIMIT $1`,
    [limit],
  );
  return rows.map((r) => ({
    source: r.source,
    eventId: r.event_id,
    receivedAt: r.received_at.toISOString(),
    action: r.action,
    repository: r.repository,
    digest: r.digest,
    tag: r.tag,
    outcome: r.outcome,
  }));
}

async function failedScans(
  db: Database,
  limit: number,
): Promise<IntakeStatus['failures']> {
  const { rows } = await db.query<{
    digest: string;
    repositories: string[] | null;
    error_code: string | null;
    error_message: string | null;
    updated_at: Date;
  }>(
    `SELECT s.digest, s.error_code, s.error_message, s.updated_at,
            (SELECT array_agg(repository ORDER BY repository) FROM repository_manifests
             WHERE digest = s.digest) AS repositories
     FROM scans s WHERE s.status = 'failed'
     ORDER BY s.updated_at DESC LIMIT $1`,
    [limit],
  );
  return rows.map((r) => ({
    digest: r.digest as IntakeStatus['failures'][number]['digest'],
    repositories: r.repositories ?? [],
    errorCode: r.error_code,
    errorMessage: r.error_message,
    at: r.updated_at.toISOString(),
  }));
}

/**
 * Jobs per queue, read from pg-boss's own table (the schema `JobQueue`
 * creates): waiting (`created`, `retry`), `active`, `failed`, and the age
 * of the oldest waiting job. Queues without jobs are not listed.
 */
async function queueStats(db: Database): Promise<QueueStat[]> {
  const { rows } = await db.query<{
    queue: string;
    waiting: number;
    active: number;
    failed: number;
    oldest_waiting_seconds: number | null;
  }>(
    `SELECT name AS queue,
            (count(*) FILTER (WHERE state IN ('created', 'retry')))::int AS waiting,
            (count(*) FILTER (WHERE state = 'active'))::int AS active,
            (count(*) FILTER (WHERE state = 'failed'))::int AS failed,
            extract(epoch FROM now() - min(created_on) FILTER (WHERE state IN ('created', 'retry')))::float8
              AS oldest_waiting_seconds
     FROM pgboss.job WHERE name NOT LIKE '\\_\\_%' GROUP BY name ORDER BY name`,
  );
  return rows.map((r) => ({
    queue: r.queue,
    waiting: r.waiting,
    active: r.active,
    failed: r.failed,
    oldestWaitingSeconds: Math.max(0, r.oldest_waiting_seconds ?? 0),
  }));
}
