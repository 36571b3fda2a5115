/** The real CLI: `customs vulndb import` on its own, and events config errors. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCustoms } from '../helpers/customs-process.js';

const work = mkdtempSync(join(tmpdir(), 'customs-cli-vulndb-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const data = (p: string) =>
  new URL(`../../../shared/data/${p}`, import.meta.url).pathname;

describe('customs vulndb import (spawned CLI)', () => {
  it('imports into the embedded database and prints a summary per input', async () => {
    const env = { CUSTOMS_DATADIR: join(work, 'data') };
    const inputs = [data('raw/alpine-secdb'), data('osv/ghsa')];
    const first = await runCustoms(['vulndb', 'import', ...inputs], env);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const lines = first.stdout.split('\n');
    expect(lines[0]).toMatch(
      /^import \d+: 281 added, 0 changed, 0 unchanged, 0 withdrawn, 0 skipped in [\d.]+ s \(\d+ records\/s\); snapshot 1$/,
    );
    expect(lines[1]).toMatch(
      /^\s+added\s+changed\s+withdrawn\s+unchanged\s+skipped\s+source$/,
    );
    expect(lines[2]).toMatch(
      new RegExp(`^\\s+273\\s+0\\s+0\\s+0\\s+0\\s+${inputs[0]}$`),
    );
    expect(lines[3]).toMatch(
      new RegExp(`^\\s+8\\s+0\\s+0\\s+0\\s+0\\s+${inputs[1]}$`),
    );
    const again = await runCustoms(['vulndb', 'import', ...inputs], env);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(
      /0 added, 0 changed, 281 unchanged, .*; snapshot 2$/m,
    );
    expect(again.stdout).toMatch(
      /no advisory changed: no image needs re-matching/,
    );
  }, 120_000);

  it('fails on a damaged input and names it, exit 1', async () => {
    const zip = join(work, 'broken.zip');
    writeFileSync(zip, 'PK\x03\x04 not really a zip');
    const r = await runCustoms(['vulndb', 'import', zip], {
      CUSTOMS_DATADIR: join(work, 'data'),
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/broken\.zip: damaged or truncated zip archive/);
  }, 60_000);
});

describe('events configuration', () => {
  it('stops startup (exit 2) when a sink secret file cannot be read', async () => {
    const r = await runCustoms(['serve', '--port', '0'], {
      CUSTOMS_DATADIR: join(work, 'serve-data'),
      CUSTOMS_EVENTS__SINKS: JSON.stringify([
        {
          name: 'audit',
          url: 'http://127.0.0.1:9/hook',
          secretFile: join(work, 'missing'),
        },
      ]),
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/events\.sinks audit: cannot read secretFile/);
  }, 60_000);

  it('refuses a sink with both or neither secret, naming the key', async () => {
    const r = await runCustoms(['migrate'], {
      CUSTOMS_DATADIR: join(work, 'migrate-data'),
      CUSTOMS_EVENTS__SINKS: JSON.stringify([
        { name: 'audit', url: 'http://127.0.0.1:9/hook' },
      ]),
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /events\.sinks\.0: give exactly one of secret or secretFile/,
    );
  });
});
