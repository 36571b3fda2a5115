/**
 * The CLI as a user runs it: config errors, and the embedded database's
 * guard against a second process.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCustoms, startCustoms } from '../helpers/customs-process.js';
import {
  freePort,
  pushTestImages,
  startRegistry,
} from '../helpers/registry.js';

const work = mkdtempSync(join(tmpdir(), 'customs-cli-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('customs CLI', () => {
  it('exits 2 naming every configuration problem', async () => {
    writeFileSync(join(work, 'bad.yaml'), 'version: 1\nserver:\n  prot: 80\n');
    const r = await runCustoms(
      ['migrate', '--config', join(work, 'bad.yaml')],
      { CUSTOMS_UPSTREAM__URL: 'ftp://x', CUSTOMS_NOPE: '1' },
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/server\.prot: unknown key/);
    expect(r.stderr).toMatch(/upstream\.url: .*CUSTOMS_UPSTREAM__URL/);
    expect(r.stderr).toMatch(/CUSTOMS_NOPE: unknown configuration key/);
  });

  it('exits 2 on invalid trust rules', async () => {
    writeFileSync(
      join(work, 'rules.yaml'),
      'version: 1\nenvironments:\n  prod:\n    signatures:\n      requiredSigners: [nobody]\n',
    );
    const r = await runCustoms(['serve', '--port', '0'], {
      CUSTOMS_DATADIR: join(work, 'rules-data'),
      CUSTOMS_RULES__FILE: join(work, 'rules.yaml'),
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown signer "nobody"/);
  });

  it('refuses a second process on the same embedded database, clearly', async () => {
    const env = {
      CUSTOMS_DATADIR: join(work, 'data'),
      CUSTOMS_UPSTREAM__URL: 'http://127.0.0.1:9',
    };
    const server = await startCustoms(await freePort(), env);
    try {
      const second = await runCustoms(['migrate'], env);
      expect(second.code).toBe(1);
      expect(second.stderr).toMatch(
        new RegExp(`in use by process ${server.child.pid} on `),
      );
      expect(second.stderr).toMatch(/set database\.url to a PostgreSQL server/);
    } finally {
      await server.stop();
    }
    expect((await runCustoms(['migrate'], env)).stdout).toMatch(
      /database is up to date/,
    );
  });

  it('takes over a lock left by a process that no longer runs', async () => {
    const env = {
      CUSTOMS_DATADIR: join(work, 'stale'),
      CUSTOMS_UPSTREAM__URL: 'http://127.0.0.1:9',
    };
    expect((await runCustoms(['migrate'], env)).code).toBe(0);
    writeFileSync(
      join(work, 'stale', 'customs.lock'),
      JSON.stringify({
        pid: 2 ** 22 + 7,
        hostname: hostname(),
        startedAt: '2020-01-01T00:00:00Z',
      }),
    );
    const r = await runCustoms(['migrate'], env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('compares versions and checks a vectors file', async () => {
    expect(
      (await runCustoms(['version-compare', 'debian', '1:1.2', '1.3'], {}))
        .stdout,
    ).toBe('>\n');
    const file = join(work, 'v.txt');
    writeFileSync(
      file,
      '# c\n1.0 < 1.1\n1.0~rc1 < 1.0\n2.0 = 2.0\n1.0 > 1.1\n',
    );
    const r = await runCustoms(
      ['version-compare', 'debian', '--file', file],
      {},
    );
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^line 5: 1\.0 > 1\.1: expected >, got <$/m);
    expect(r.stdout).toMatch(/3 passed, 1 failed\n$/);
    expect(
      (await runCustoms(['version-compare', 'cobol', '1', '2'], {})).code,
    ).toBe(2);
  });

  it('scans an image straight from a registry, without a running Customs', async () => {
    const registry = await startRegistry();
    try {
      const [debian] = await pushTestImages(registry, ['debian']);
      const tracker = new URL(
        '../../../shared/data/raw/debian-security-tracker',
        import.meta.url,
      ).pathname;
      const r = await runCustoms(
        ['scan', debian!.ref, '--json', '--vulndb', tracker],
        {},
      );
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const out = JSON.parse(r.stdout) as {
        digest: string;
        images: Array<{
          packages: unknown[];
          findings: Array<{ aliases: string[] }>;
          scan: { distribution: { versionCodename: string } };
        }>;
      };
      expect(out.digest).toBe(debian!.digest);
      expect(out.images[0]!.packages).toHaveLength(88);
      expect(out.images[0]!.scan.distribution.versionCodename).toBe('bookworm');
      expect(out.images[0]!.findings.flatMap((f) => f.aliases)).toContain(
        'CVE-2023-45853',
      );
      const missing = await runCustoms(
        ['scan', `${registry.host}/test/nothing:1`],
        {},
      );
      expect(missing.code).toBe(1);
      expect(missing.stderr).toMatch(/no such image/);
    } finally {
      await registry.stop();
    }
  }, 120_000);
});
