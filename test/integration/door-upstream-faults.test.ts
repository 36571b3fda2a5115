/**
 * The door when the upstream fails: a 500 and a stalled upstream (which no
 * real registry produces on demand, so a scripted HTTP server plays it)
 * are answered 503 UNAVAILABLE, and nothing is served.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startCustoms,
  type CustomsProcess,
} from '../helpers/customs-process.js';
import { startFaultServer, type FaultServer } from '../helpers/fault-server.js';
import { freePort } from '../helpers/registry.js';

describe('door with a failing upstream', () => {
  let work: string;
  let upstream: FaultServer;
  let customs: CustomsProcess;
  let mode: 'error' | 'stall' = 'error';

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'customs-faults-'));
    upstream = await startFaultServer((req, res) => {
      if (req.url === '/v2/') return void res.writeHead(200).end('{}');
      if (mode === 'error') return void res.writeHead(500).end('boom');
      // stall: answer nothing until the client gives up
    });
    customs = await startCustoms(await freePort(), {
      CUSTOMS_DATADIR: join(work, 'data'),
      CUSTOMS_UPSTREAM__URL: upstream.url,
      CUSTOMS_UPSTREAM__TIMEOUTMS: '500',
      CUSTOMS_UPSTREAM__RETRIES: '1',
      CUSTOMS_INTAKE__RECONCILE__ONSTART: 'false',
    });
  }, 120_000);
  afterAll(async () => {
    await customs?.stop();
    await upstream?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it.each(['error', 'stall'] as const)(
    'answers 503 UNAVAILABLE when the upstream is in %s',
    async (m) => {
      mode = m;
      const started = Date.now();
      const res = await fetch(`${customs.url}/v2/dev/team/app/manifests/1.0`);
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({
        errors: [{ code: 'UNAVAILABLE' }],
      });
      // Bounded: two attempts of 500 ms, plus backoff.
      expect(Date.now() - started).toBeLessThan(5000);
      const blob = await fetch(
        `${customs.url}/v2/dev/team/app/blobs/sha256:${'a'.repeat(64)}`,
      );
      expect(blob.status).toBe(404); // not an image Customs judged: never asked upstream
    },
  );
});
