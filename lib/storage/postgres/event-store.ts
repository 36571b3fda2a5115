import type { Database } from '../database.js';
import type { EventStore, WebhookEventRecord } from '../ports.js';

/** Webhook events in `webhook_events`, unique by (source, event_id). */
export function createEventStore(db: Database): EventStore {
  return {
    async record(e) {
      const { rowCount } = await db.query(
        `INSERT INTO webhook_events (source, event_id, action, repository, digest, tag, media_type, outcome, body)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (source, event_id) DO NOTHING`,
        [
          e.source,
          e.eventId,
          e.action,
          e.repository,
          e.digest ?? null,
          e.tag ?? null,
          e.mediaType ?? null,
          e.outcome,
          JSON.stringify(e.body),
        ],
      );
      return rowCount === 1;
    },

    async remove(source, eventId) {
      await db.query(
        'DELETE FROM webhook_events WHERE source = $1 AND event_id = $2',
        [source, eventId],
      );
    },

    async recent(limit) {
      const { rows } = await db.query<Row>(
        `SELECT source, event_id, action, repository, digest, tag, media_type, outcome, body, received_at
         FROM webhook_events ORDER BY received_at DESC LIMIT $1`,
        [limit],
      );
      return rows.map((r) => ({
        source: r.source,
        eventId: r.event_id,
        action: r.action,
        repository: r.repository,
        digest: r.digest ?? undefined,
        tag: r.tag ?? undefined,
        mediaType: r.media_type ?? undefined,
        outcome: r.outcome,
        body: r.body,
        receivedAt: r.received_at.toISOString(),
      }));
    },
  };
}

interface Row {
  source: string;
  event_id: string;
  action: string;
  repository: string;
  digest: string | null;
  tag: string | null;
  media_type: string | null;
  outcome: string;
  body: WebhookEventRecord['body'];
  received_at: Date;
}
