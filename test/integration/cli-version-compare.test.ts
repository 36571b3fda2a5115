/** The real `customs version-compare` process on a shared vectors file. */
import { describe, expect, it } from 'vitest';
import { runCustoms } from '../helpers/customs-process.js';

const vectors = (file: string): string =>
  new URL(`../../../shared/data/versions/${file}`, import.meta.url).pathname;

describe('customs version-compare (spawned CLI)', () => {
  it('passes every line of alpine.txt and exits 0', async () => {
    const r = await runCustoms(
      ['version-compare', 'Alpine', '--file', vectors('alpine.txt')],
      {},
    );
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('13666 passed, 0 failed\n');
    expect(r.code).toBe(0);
  });

  it('orders two versions of a language ecosystem', async () => {
    const r = await runCustoms(
      ['version-compare', 'PyPI', '1.0.dev1', '1.0a1'],
      {},
    );
    expect(r.stdout).toBe('<\n');
    expect(r.code).toBe(0);
  });
});
