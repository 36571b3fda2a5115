import type { Database } from '../database.js';
import type { OutboxEvent, OutboxStore } from '../ports.js';

/** The outbox and its per-sink deliveries (see OutboxStore). */
export function createOutboxStore(db: Database): OutboxStore {
  return {
    async registerSinks(names) {
      if (names.length === 0) return;
      await db.query(
        `INSERT INTO event_sinks (name, first_event)
         SELECT n, (SELECT coalesce(max(id), 0) FROM event_outbox) FROM unnest($1::text[]) AS n
         ON CONFLICT (name) DO NOTHING`,
        [names],
      );
    },

    async claim(sink, limit, leaseMs) {
      return db.transaction(async (tx) => {
        const { rows } = await tx.query<ClaimRow>(
          `WITH due AS (
             SELECT outbox_id FROM event_deliveries
             WHERE sink = $1 AND delivered_at IS NULL AND next_attempt_at <= now()
             ORDER BY outbox_id LIMIT $2 FOR UPDATE SKIP LOCKED),
           leased AS (
             UPDATE event_deliveries d
             SET attempts = d.attempts + 1,
                 next_attempt_at = now() + make_interval(secs => $3::float8 / 1000)
             FROM due WHERE d.sink = $1 AND d.outbox_id = due.outbox_id
             RETURNING d.outbox_id, d.attempts)
           SELECT o.id, o.event_id, o.type, o.subject, o.data, o.created_at, l.attempts
           FROM leased l JOIN event_outbox o ON o.id = l.outbox_id
           ORDER BY o.id`,
          [sink, limit, leaseMs],
        );
        return rows.map(toEvent);
      });
    },

    async delivered(sink, outboxId) {
      await db.query(
        `UPDATE event_deliveries SET delivered_at = now(), last_error = NULL
         WHERE sink = $1 AND outbox_id = $2`,
        [sink, outboxId],
      );
    },

    async failed(sink, outboxId, error, retryInMs) {
      await db.query(
        `UPDATE event_deliveries SET last_error = $3,
           next_attempt_at = now() + make_interval(secs => $4::float8 / 1000)
         WHERE sink = $1 AND outbox_id = $2 AND delivered_at IS NULL`,
        [sink, outboxId, error.slice(0, 500), retryInMs],
      );
    },

    async prune(olderThanMs, sinks) {
      const { rowCount } = await db.query(
        `DELETE FROM event_outbox o
         WHERE o.created_at < now() - make_interval(secs => $1::float8 / 1000)
           AND NOT EXISTS (SELECT 1 FROM event_deliveries d
                           WHERE d.outbox_id = o.id AND d.delivered_at IS NULL
                             AND d.sink = ANY($2::text[]))`,
        [olderThanMs, sinks],
      );
      return rowCount;
    },

    async pending() {
      const { rows } = await db.query<{ sink: string; n: number }>(
        `SELECT s.name AS sink, count(d.outbox_id)::int AS n FROM event_sinks s
         LEFT JOIN event_deliveries d ON d.sink = s.name AND d.delivered_at IS NULL
         GROUP BY s.name ORDER BY s.name`,
      );
      return Object.fromEntries(rows.map((r) => [r.sink, r.n]));
    },
  };
}

interface ClaimRow {
  id: number;
  event_id: string;
  type: string;
  subject: string;
  data: unknown;
  created_at: Date;
  attempts: number;
}

function toEvent(r: ClaimRow): OutboxEvent {
  return {
    outboxId: r.id,
    eventId: r.event_id,
    type: r.type,
    subject: r.subject,
    data: r.data,
    time: r.created_at.toISOString(),
    attempts: r.attempts,
  };
}
