/**
 * `customs admin-tokens` as a newcomer runs it: on the embedded database
 * directly, and through a running `customs serve` that holds it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCustoms, startCustoms } from '../helpers/customs-process.js';
import { freePort } from '../helpers/registry.js';

const work = mkdtempSync(join(tmpdir(), 'customs-cli-tokens-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const TOKEN_RE = /token \(shown once\): (customs_\S+)/;

describe('customs admin-tokens', () => {
  const env = {
    CUSTOMS_DATADIR: join(work, 'data'),
    CUSTOMS_UPSTREAM__URL: 'http://127.0.0.1:9',
  };

  it('creates the first admin token before the server runs, then more through it', async () => {
    const first = await runCustoms(
      ['admin-tokens', 'create', '--name', 'first', '--role', 'admin'],
      env,
    );
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const adminToken = TOKEN_RE.exec(first.stdout)?.[1];
    expect(adminToken).toBeDefined();

    const server = await startCustoms(await freePort(), env);
    try {
      const whoami = (token: string) =>
        fetch(`${server.url}/api/v1/whoami`, {
          headers: { Authorization: `Bearer ${token}` },
        });
      expect(await (await whoami(adminToken!)).json()).toEqual({
        name: 'first',
        role: 'admin',
      });
      const ops = await runCustoms(
        [
          'admin-tokens',
          'create',
          '--name',
          'ops',
          '--role',
          'operator',
          '--expires-in',
          '30d',
        ],
        env,
      );
      expect(ops.code).toBe(0);
      const opsToken = TOKEN_RE.exec(ops.stdout)?.[1];
      expect(await (await whoami(opsToken!)).json()).toEqual({
        name: 'ops',
        role: 'operator',
      });
      const list = await runCustoms(['admin-tokens', 'list'], env);
      expect(list.stdout).toMatch(/^first\s+admin\s+no expiry$/m);
      expect(list.stdout).toMatch(/^ops\s+operator\s+expires 20/m);
      const revoke = await runCustoms(['admin-tokens', 'revoke', 'ops'], env);
      expect(revoke.code).toBe(0);
      expect((await whoami(opsToken!)).status).toBe(401);
    } finally {
      await server.stop();
    }
  }, 120_000);

  it('exits 2 on a bad role or expiry', async () => {
    const role = await runCustoms(
      ['admin-tokens', 'create', '--name', 'x', '--role', 'root'],
      env,
    );
    expect(role.code).not.toBe(0);
    expect(role.stderr).toMatch(/root/);
    const expiry = await runCustoms(
      [
        'admin-tokens',
        'create',
        '--name',
        'x',
        '--role',
        'viewer',
        '--expires-in',
        'soon',
      ],
      env,
    );
    expect(expiry.code).toBe(2);
    expect(expiry.stderr).toMatch(/invalid expiry "soon"/);
  }, 60_000);
});
