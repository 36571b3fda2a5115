/**
 * Pass-through writes keep the client at Customs: an upstream whose upload
 * Location points at another host (which no real registry does on demand,
 * so a scripted HTTP server plays it) is refused, and a Location on the
 * upstream itself is turned into one at Customs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  runCustoms,
  startCustoms,
  type CustomsProcess,
} from '../helpers/customs-process.js';
import { startFaultServer, type FaultServer } from '../helpers/fault-server.js';
import { freePort } from '../helpers/registry.js';

describe('door pass-through writes with a hostile upstream Location', () => {
  let work: string;
  let upstream: FaultServer;
  let customs: CustomsProcess;
  let authorization: string;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'customs-writes-location-'));
    upstream = await startFaultServer((req, res) => {
      if (req.url === '/v2/') return void res.writeHead(200).end('{}');
      const location = req.url!.startsWith('/v2/team/evil/')
        ? 'http://evil.example/v2/team/evil/blobs/uploads/u1'
        : `${upstream.url}/v2/team/fine/blobs/uploads/u2?_state=s`;
      res
        .writeHead(202, {
          Location: location,
          'Docker-Upload-UUID': 'u1',
          Range: '0-0',
          'Content-Length': '0',
          'X-Upstream-Secret': 'not for clients',
        })
        .end();
    });
    const env = {
      CUSTOMS_DATADIR: join(work, 'data'),
      CUSTOMS_UPSTREAM__URL: upstream.url,
      CUSTOMS_DOOR__PASSTHROUGHWRITES: 'true',
      CUSTOMS_INTAKE__RECONCILE__ONSTART: 'false',
    };
    customs = await startCustoms(await freePort(), env);
    const created = await runCustoms(
      ['pull-credentials', 'create', 'pusher', '-e', 'dev', '--push', '*'],
      env,
    );
    const secret = /secret \(shown once\): (\S+)/.exec(created.stdout)![1]!;
    authorization = `Basic ${Buffer.from(`pusher:${secret}`).toString('base64')}`;
  }, 120_000);
  afterAll(async () => {
    await customs?.stop();
    await upstream?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  const startUpload = (repository: string) =>
    fetch(`${customs.url}/v2/${repository}/blobs/uploads/`, {
      method: 'POST',
      headers: { Authorization: authorization },
    });

  it('refuses a Location on another host', async () => {
    const res = await startUpload('team/evil');
    expect(res.status).toBe(503);
    expect(res.headers.get('location')).toBeNull();
    expect(await res.json()).toEqual({
      errors: [
        {
          code: 'UNAVAILABLE',
          message:
            'the upstream registry sent a Location outside itself; refused',
        },
      ],
    });
  });

  it('turns a Location on the upstream into one at Customs, and passes on only the push API headers', async () => {
    const res = await startUpload('team/fine');
    expect(res.status).toBe(202);
    expect(res.headers.get('location')).toBe(
      '/v2/team/fine/blobs/uploads/u2?_state=s',
    );
    expect(res.headers.get('docker-upload-uuid')).toBe('u1');
    expect(res.headers.get('range')).toBe('0-0');
    expect(res.headers.get('x-upstream-secret')).toBeNull();
    // The caller's credentials stay at Customs (this upstream needs none).
    const forwarded = upstream.requests.find(
      (r) => r.method === 'POST' && r.url === '/v2/team/fine/blobs/uploads/',
    );
    expect(forwarded?.headers.authorization).toBeUndefined();
  });
});
