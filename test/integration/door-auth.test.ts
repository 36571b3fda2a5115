/**
 * Pull accounts and robot tokens at the door, with anonymous pulls off:
 * skopeo logs in through the Docker token flow, credentials bind the
 * environment, and expired, revoked or wrong credentials are refused.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  runCustoms,
  startCustoms,
  type CustomsProcess,
} from '../helpers/customs-process.js';
import {
  freePort,
  pushTestImages,
  startRegistry,
  type RegistryHandle,
} from '../helpers/registry.js';

const exec = promisify(execFile);

describe('door credentials', () => {
  let work: string;
  let registry: RegistryHandle;
  let customs: CustomsProcess;
  let env: Record<string, string>;
  const secrets: Record<string, string> = {};

  const createRobot = async (
    name: string,
    environment: string,
    expires?: string,
  ) => {
    const r = await runCustoms(
      [
        'pull-credentials',
        'create',
        name,
        '-e',
        environment,
        ...(expires ? ['--expires', expires] : []),
      ],
      env,
    );
    expect(r.stderr).toBe('');
    const secret = /secret \(shown once\): (\S+)/.exec(r.stdout)?.[1];
    expect(secret).toBeDefined();
    secrets[name] = secret!;
  };
  const basic = (name: string, secret = secrets[name]!) =>
    `Basic ${Buffer.from(`${name}:${secret}`).toString('base64')}`;
  const inspect = (path: string, creds?: string) =>
    exec('skopeo', [
      'inspect',
      '--tls-verify=false',
      ...(creds ? ['--creds', creds] : ['--no-creds']),
      `docker://127.0.0.1:${customs.port}/${path}`,
    ]).then(
      (r) => JSON.parse(r.stdout) as { Digest: string },
      (err: { stderr: string }) => err.stderr,
    );

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'customs-door-auth-'));
    registry = await startRegistry();
    await pushTestImages(registry, ['busybox']);
    writeFileSync(
      join(work, 'config.yaml'),
      'version: 1\ndoor:\n  anonymous: false\n  hosts:\n    localhost: prod\n',
    );
    // Environments without "test", so that `test/…` repositories carry no prefix.
    writeFileSync(
      join(work, 'rules.yaml'),
      'version: 1\nenvironments:\n  dev: {}\n  prod:\n    signatures: {required: true}\n',
    );
    env = {
      CUSTOMS_CONFIG: join(work, 'config.yaml'),
      CUSTOMS_DATADIR: join(work, 'data'),
      CUSTOMS_UPSTREAM__URL: registry.url,
      CUSTOMS_RULES__FILE: join(work, 'rules.yaml'),
    };
    customs = await startCustoms(await freePort(), env);
    await createRobot('dev-robot', 'dev');
    await createRobot('to-revoke', 'dev');
  }, 300_000);
  afterAll(async () => {
    await customs?.stop();
    await registry?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('challenges an anonymous pull with the token realm', async () => {
    const res = await fetch(`${customs.url}/v2/`);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe(
      `Bearer realm="http://127.0.0.1:${customs.port}/token",service="customs"`,
    );
    expect(await res.json()).toMatchObject({
      errors: [{ code: 'UNAUTHORIZED' }],
    });
    expect((await fetch(`${customs.url}/token?service=customs`)).status).toBe(
      401,
    );
    expect(await inspect('dev/test/busybox-static:1.35.0')).toMatch(
      /authentication required|unauthorized/i,
    );
  });

  it('lets skopeo log in through the token flow and judges for the bound environment', async () => {
    const found = await inspect(
      'dev/test/busybox-static:1.35.0',
      `dev-robot:${secrets['dev-robot']}`,
    );
    expect(found).toMatchObject({ Digest: expect.stringMatching(/^sha256:/) });
    // No prefix: the credential's environment decides.
    expect(
      await inspect(
        'test/busybox-static:1.35.0',
        `dev-robot:${secrets['dev-robot']}`,
      ),
    ).toMatchObject({ Digest: expect.any(String) });
    const token = (await (
      await fetch(
        `${customs.url}/token?service=customs&scope=repository:x:pull`,
        {
          headers: { Authorization: basic('dev-robot') },
        },
      )
    ).json()) as { token: string; expires_in: number };
    expect(token.expires_in).toBe(300);
    expect(
      (
        await fetch(`${customs.url}/v2/`, {
          headers: { Authorization: `Bearer ${token.token}` },
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await fetch(`${customs.url}/v2/`, {
          headers: { Authorization: `Bearer ${token.token}x` },
        })
      ).status,
    ).toBe(401);
  });

  it('refuses another environment than the one the credentials are bound to', async () => {
    const res = await fetch(
      `${customs.url}/v2/prod/test/busybox-static/manifests/1.35.0`,
      { headers: { Authorization: basic('dev-robot') } },
    );
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({
      errors: [
        {
          code: 'DENIED',
          message: 'these credentials are bound to dev; they cannot read prod',
        },
      ],
    });
    // A host bound to another environment than the credentials is refused too.
    const host = await fetch(`http://localhost:${customs.port}/v2/`, {
      headers: { Authorization: basic('dev-robot') },
    });
    expect(host.status).toBe(403);
  });

  it('refuses a wrong secret, an unknown name, and expired or revoked credentials', async () => {
    expect(
      (
        await fetch(`${customs.url}/v2/`, {
          headers: { Authorization: basic('dev-robot', 'wrong') },
        })
      ).status,
    ).toBe(401);
    expect(
      (
        await fetch(`${customs.url}/v2/`, {
          headers: { Authorization: basic('nobody', 'x') },
        })
      ).status,
    ).toBe(401);
    const expiresAt = Date.now() + 6000;
    await createRobot('short-lived', 'dev', new Date(expiresAt).toISOString());
    const fresh = await fetch(`${customs.url}/v2/`, {
      headers: { Authorization: basic('short-lived') },
    });
    expect(fresh.status).toBe(200);
    await new Promise((r) => setTimeout(r, expiresAt - Date.now() + 200));
    const expired = await fetch(`${customs.url}/v2/`, {
      headers: { Authorization: basic('short-lived') },
    });
    expect(expired.status).toBe(401);
    expect(await expired.json()).toMatchObject({
      errors: [
        {
          message: expect.stringMatching(
            /^credentials short-lived expired at /,
          ),
        },
      ],
    });
    const revoke = await runCustoms(
      ['pull-credentials', 'revoke', 'to-revoke'],
      env,
    );
    expect(revoke.stdout).toMatch(/to-revoke revoked/);
    expect(
      (
        await fetch(`${customs.url}/v2/`, {
          headers: { Authorization: basic('to-revoke') },
        })
      ).status,
    ).toBe(401);
    const list = await runCustoms(['pull-credentials', 'list'], env);
    expect(list.stdout).toMatch(/^to-revoke\s+robot\s+dev\s+revoked /m);
  });
});
