/**
 * Verdict-change events: written to the outbox with the change, delivered
 * as signed CloudEvents to a real HTTP sink that is down at first; when it
 * comes back it receives every event, once per id.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../lib/log/create-logger.js';
import { isValidSignature } from '../../lib/outbound/cloud-event.js';
import { EventDeliverer } from '../../lib/outbound/event-deliverer.js';
import type { Database } from '../../lib/storage/database.js';
import { migrate } from '../../lib/storage/postgres/migrate.js';
import { openPgliteDatabase } from '../../lib/storage/postgres/pglite-database.js';
import { createStores } from '../../lib/storage/postgres/stores.js';
import type { Stores, VerdictInput } from '../../lib/storage/ports.js';
import { freePort } from '../helpers/registry.js';
import { digestOf } from '../helpers/stored-images.js';

const logger = createLogger({ level: 'silent' });
const SECRET = 'sink-secret';

interface Received {
  body: string;
  headers: IncomingMessage['headers'];
}

function verdicts(
  status: VerdictInput['status'],
  count: number,
): VerdictInput[] {
  return Array.from({ length: count }, (_, i) => ({
    repository: 'team/app',
    digest: digestOf(`image-${i}`),
    environment: 'prod',
    status,
    reasons: [{ code: 'POLICY_PASSED', message: 'ok' }],
    rulesVersion: 'r1',
    snapshotId: 3,
  }));
}

async function waitFor(
  what: string,
  check: () => Promise<boolean> | boolean,
): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('verdict-change events', () => {
  let db: Database;
  let stores: Stores;
  let port: number;
  let sink: Server | undefined;
  let deliverer: EventDeliverer;
  const received: Received[] = [];
  let failNext = 0;

  beforeAll(async () => {
    db = (await openPgliteDatabase(undefined)).database;
    await migrate(db);
    stores = createStores(db);
    port = await freePort();
    deliverer = new EventDeliverer({
      outbox: stores.outbox,
      sinks: [
        { name: 'audit', url: `http://127.0.0.1:${port}/hook`, secret: SECRET },
      ],
      source: '/customs/test',
      pollIntervalMs: 50,
      timeoutMs: 2_000,
      retryBaseMs: 50,
      retryMaxMs: 200,
      retentionHours: 1,
      logger,
    });
    await deliverer.start();
  });
  afterAll(async () => {
    await deliverer.stop();
    if (sink) await new Promise((r) => sink!.close(r));
    await db.close();
  });

  it('keeps every event while the sink is down, and delivers each once when it is back', async () => {
    await stores.verdicts.save(verdicts('eligible', 5), 'scan: first');
    await stores.verdicts.save(
      verdicts('ineligible', 5),
      'rematch: snapshot 3',
    );
    // Unchanged verdicts write no event.
    await stores.verdicts.save(
      verdicts('ineligible', 5),
      'rematch: snapshot 4',
    );
    await waitFor('failed attempts', async () => {
      const { rows } = await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM event_deliveries WHERE attempts >= 2 AND last_error IS NOT NULL`,
      );
      return rows[0]!.n === 10;
    });
    expect(await stores.outbox.pending()).toEqual({ audit: 10 });

    failNext = 2; // the sink's first answers are errors: retried too
    sink = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (failNext > 0) {
          failNext--;
          res.writeHead(503).end();
          return;
        }
        received.push({
          body: Buffer.concat(chunks).toString('utf8'),
          headers: req.headers,
        });
        res.writeHead(202).end();
      });
    });
    await new Promise<void>((r) => sink!.listen(port, '127.0.0.1', r));
    await waitFor(
      'all deliveries',
      async () => (await stores.outbox.pending()).audit === 0,
    );

    const events = received.map(
      (r) => JSON.parse(r.body) as Record<string, unknown>,
    );
    const ids = events.map((e) => e['id']);
    expect(new Set(ids).size).toBe(10);
    expect(ids).toHaveLength(10);
    for (const r of received) {
      expect(r.headers['content-type']).toBe(
        'application/cloudevents+json; charset=utf-8',
      );
      expect(
        isValidSignature(
          r.body,
          r.headers['x-customs-signature'] as string,
          SECRET,
        ),
      ).toBe(true);
    }
    const last = events.find(
      (e) =>
        (e['data'] as Record<string, unknown>)['new'] === 'ineligible' &&
        e['subject'] === `team/app@${digestOf('image-0')}`,
    );
    expect(last).toMatchObject({
      specversion: '1.0',
      type: 'customs.verdict.changed',
      source: '/customs/test',
      datacontenttype: 'application/json',
      data: {
        repository: 'team/app',
        digest: digestOf('image-0'),
        environment: 'prod',
        old: 'eligible',
        new: 'ineligible',
        cause: 'rematch: snapshot 3',
        snapshotId: 3,
        reasons: [{ code: 'POLICY_PASSED', message: 'ok' }],
      },
    });
    expect(typeof last?.['time']).toBe('string');
  });

  it('gives a sink added later only the events written after it', async () => {
    await stores.outbox.registerSinks(['late']);
    await stores.verdicts.save(verdicts('eligible', 2), 'scan: again');
    expect(await stores.outbox.pending()).toEqual({ audit: 2, late: 2 });
    await waitFor(
      'audit deliveries',
      async () => (await stores.outbox.pending()).audit === 0,
    );
    expect(received).toHaveLength(12);
  });
});
