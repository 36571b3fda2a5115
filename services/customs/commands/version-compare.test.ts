import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EXIT } from './common.js';
import { versionCompareCommand } from './version-compare.js';

/**
 * Acceptance: every line of every shared vectors file passes, through the
 * very function `customs version-compare ECOSYSTEM --file F` runs.
 */

const VERSIONS = fileURLToPath(
  new URL('../../../../shared/data/versions/', import.meta.url),
);
const VECTOR_RE = /^(\S+) ([<=>]) (\S+)$/;

/** File, the ecosystem named on the command line, its documented line count. */
const FILES: ReadonlyArray<readonly [string, string, number]> = [
  ['debian.txt', 'Debian:12', 12_773],
  ['debian.txt', 'Ubuntu:22.04', 12_773],
  ['alpine.txt', 'Alpine:v3.19', 13_666],
  ['redhat.txt', 'AlmaLinux:9', 238],
  ['redhat.txt', 'rpm', 238],
  ['pypi.txt', 'PyPI', 10_927],
  ['semver.txt', 'npm', 107],
  ['semver.txt', 'crates.io', 107],
  ['semver.txt', 'Go', 107],
  ['maven.txt', 'Maven', 13_084],
  ['nuget.txt', 'NuGet', 35],
  ['rubygems.txt', 'RubyGems', 3_631],
  ['packagist.txt', 'Packagist', 9_449],
  ['cran.txt', 'CRAN', 71],
  ['pub.txt', 'Pub', 100],
  ['hackage.txt', 'Hackage', 11],
];

describe('customs version-compare --file on shared/data/versions', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it.each(FILES)('passes every line of %s as %s', (file, ecosystem, lines) => {
    const path = `${VERSIONS}${file}`;
    // Counted apart from the code under test, so a short read cannot pass.
    const counted = readFileSync(path, 'utf8')
      .split('\n')
      .filter((l) => VECTOR_RE.test(l)).length;
    expect(counted).toBe(lines);
    const printed: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      printed.push(String(chunk));
      return true;
    });
    const code = versionCompareCommand(ecosystem, [], { file: path });
    expect(printed.join('')).toBe(`${lines} passed, 0 failed\n`);
    expect(code).toBe(EXIT.ok);
  });

  it('fails a file when one line disagrees, and names the line', () => {
    const printed: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      printed.push(String(chunk));
      return true;
    });
    const path = fileURLToPath(
      new URL('./testdata/one-wrong.txt', import.meta.url),
    );
    expect(versionCompareCommand('npm', [], { file: path })).toBe(EXIT.failure);
    expect(printed.join('')).toBe(
      'line 3: 1.0.0-rc.1 > 1.0.0: expected >, got <\n1 passed, 1 failed\n',
    );
  });
});
