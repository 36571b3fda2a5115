/**
 * `npm run demo` (its built script) on this machine: a real registry and
 * Customs, the test images, one signature, and the verdicts it prints.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawn } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';

const DEMO = fileURLToPath(
  new URL('../../dist/services/demo/main.js', import.meta.url),
);

describe('npm run demo', () => {
  const work = mkdtempSync(join(tmpdir(), 'customs-demo-test-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('prints what each environment may pull and why, then stops everything', async () => {
    const child = spawn(process.execPath, [DEMO, '--dir', join(work, 'demo')], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const code = await new Promise<number | null>((r) => child.on('close', r));
    expect(code, `${stderr}\n(run \`npm run build\` first)`).toBe(0);
    const block = (image: string) =>
      stdout.slice(stdout.indexOf(`${image}\n`)).split('\n\n')[0]!;
    const debian = block('test/debian:bookworm-minbase');
    expect(debian).toMatch(/^ {2}dev {3}eligible /m);
    expect(debian).toMatch(/^ {2}prod {2}ineligible SEVERITY_EXCEEDED: /m);
    expect(debian).toMatch(/SIGNATURE_MISSING: unsigned/);
    const busybox = block('test/busybox-static:1.35.0');
    expect(busybox).toMatch(
      /^ {2}prod {2}eligible {3}POLICY_PASSED: .*signed by key:release$/m,
    );
    expect(stdout).toMatch(/Dashboard: http:\/\/127\.0\.0\.1:\d+\/ui\//);
    expect(stderr).toContain('signing test/busybox-static:1.35.0');
    // Both servers are gone once the demo has exited.
    const customsUrl = /Dashboard: (http:\/\/127\.0\.0\.1:\d+)\//.exec(
      stdout,
    )![1]!;
    const registry = /registry \(CNCF Distribution\) on (\S+),/.exec(
      stderr,
    )![1]!;
    await expect(fetch(`${customsUrl}/healthz`)).rejects.toThrow();
    await expect(fetch(`http://${registry}/v2/`)).rejects.toThrow();
  }, 300_000);
});
