/**
 * lang/rust on real ELF executables (gcc) with a cargo-auditable `.dep-v0`
 * section added by objcopy (testdata/make-testdata.sh).
 */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { detectInputOf } from '../../testing.js';
import { rustDetector } from './detector.js';

function testdata(path: string): Promise<Buffer> {
  return readFile(new URL(`./testdata/${path}`, import.meta.url));
}

describe('rustDetector.matches', () => {
  it.each([
    [0o755, 100_000, true],
    [0o644, 100_000, false],
    [0o755, 10, false],
  ])('mode %o, %i bytes -> %s', (mode, sizeBytes, expected) => {
    expect(rustDetector.matches({ path: 'usr/bin/app', sizeBytes, mode })).toBe(
      expected,
    );
  });
});

describe('rustDetector.detect', () => {
  it('reports runtime crates.io dependencies, not the root, build-only or git crates', async () => {
    const { input, warnings } = detectInputOf(
      'usr/bin/app',
      await testdata('auditable.elf'),
    );
    expect(await rustDetector.detect(input)).toEqual([
      {
        ecosystem: 'crates.io',
        name: 'adler',
        version: '1.0.2',
        purl: 'pkg:cargo/adler@1.0.2',
      },
      {
        ecosystem: 'crates.io',
        name: 'miniz_oxide',
        version: '0.7.1',
        purl: 'pkg:cargo/miniz_oxide@0.7.1',
      },
    ]);
    expect(warnings).toEqual([]);
  });

  it('invalid: a .dep-v0 section that is not zlib JSON is a warning', async () => {
    const { input, warnings } = detectInputOf(
      'usr/bin/app',
      await testdata('corrupt.elf'),
    );
    expect(await rustDetector.detect(input)).toEqual([]);
    expect(warnings.map((w) => w.code)).toEqual(['PACKAGE_DB_INVALID']);
  });

  it.each([['plain.elf'], ['dep-v0.json']])(
    '%s: no section, nothing found, no warning',
    async (file) => {
      const { input, warnings } = detectInputOf(
        'usr/bin/app',
        await testdata(file),
      );
      expect(await rustDetector.detect(input)).toEqual([]);
      expect(warnings).toEqual([]);
    },
  );
});
