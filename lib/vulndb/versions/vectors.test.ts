import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { dpkgComparator, type VersionComparator } from './index.js';
import { checkVectors, compareSymbol } from './vectors.js';

// shared/ sits beside the repository (STYLE.md §7, "prefer ../shared").
const DEBIAN_VECTORS = fileURLToPath(
  new URL('../../../../shared/data/versions/debian.txt', import.meta.url),
);

/** Orders by string length: a comparator whose answers are easy to predict. */
const byLength: VersionComparator = {
  name: 'length',
  compare: (a, b) => Math.sign(a.length - b.length) as -1 | 0 | 1,
  isValid: () => true,
};

describe('compareSymbol', () => {
  it('renders the comparator result as an operator', () => {
    expect(compareSymbol(dpkgComparator, '1.0', '1.1')).toBe('<');
    expect(compareSymbol(dpkgComparator, '1.0', '1.0-0')).toBe('=');
    expect(compareSymbol(dpkgComparator, '1:0', '9')).toBe('>');
  });
});

describe('checkVectors', () => {
  it('counts passes, skips comments and blank lines', () => {
    const text = '# c\n\n## source: x\na < bb\nbb = cc\r\nccc > d\n';
    expect(checkVectors(byLength, text)).toEqual({
      passed: 3,
      failed: 0,
      failures: [],
    });
  });

  it('reports a disagreement with its line number', () => {
    expect(checkVectors(byLength, '# c\na = bb\n')).toEqual({
      passed: 0,
      failed: 1,
      failures: [{ line: 2, text: 'a = bb', expected: '=', actual: '<' }],
    });
  });

  it('counts an unparsable line as a failure', () => {
    const report = checkVectors(byLength, 'a <  b\na ? b\na<b\n a < b');
    expect(report.passed).toBe(0);
    expect(report.failed).toBe(4);
    expect(report.failures.map((f) => f.line)).toEqual([1, 2, 3, 4]);
    expect(report.failures[0]).toEqual({
      line: 1,
      text: 'a <  b',
      expected: 'a line of the form "A <op> B" (op one of <, =, >)',
      actual: 'unparsable line',
    });
  });

  it('passes every line of shared/data/versions/debian.txt with dpkg', async () => {
    const text = await readFile(DEBIAN_VECTORS, 'utf8');
    // Counted independently of checkVectors: lines with exactly three fields.
    const vectorLines = text
      .split('\n')
      .filter((l) => l !== '' && !l.startsWith('#'))
      .filter((l) => l.split(' ').length === 3).length;
    expect(vectorLines).toBe(12_773);
    const report = checkVectors(dpkgComparator, text);
    expect(report.failures).toEqual([]);
    expect(report).toEqual({ passed: vectorLines, failed: 0, failures: [] });
  });
});
