import type { VersionComparator } from './index.js';

/**
 * Version-comparison test vectors (`shared/data/versions/*.txt`): one
 * `A <op> B` per line, `op` one of `<`, `=`, `>` saying how A compares to
 * B; `#` starts a comment line; blank lines are ignored.
 */
const VECTOR_RE = /^(\S+) ([<=>]) (\S+)$/;

/** How `a` compares to `b`, as a vector operator. */
export type CompareSymbol = '<' | '=' | '>';

/** One vector line the comparator disagreed with (or could not read). */
export interface VectorFailure {
  /** 1-based line number in the text. */
  line: number;
  /** The line as written. */
  text: string;
  /** The operator the vector states, or a description of the valid form. */
  expected: string;
  /** The comparator's operator, or why the line could not be read. */
  actual: string;
}

/** Outcome of running a vectors file through a comparator. */
export interface VectorReport {
  passed: number;
  failed: number;
  failures: VectorFailure[];
}

/** `comparator.compare(a, b)` as `<`, `=` or `>`. */
export function compareSymbol(
  comparator: VersionComparator,
  a: string,
  b: string,
): CompareSymbol {
  const result = comparator.compare(a, b);
  return result < 0 ? '<' : result > 0 ? '>' : '=';
}

/**
 * Checks every vector line of `text` with `comparator`. A non-blank,
 * non-comment line that does not have the `A <op> B` form counts as a
 * failure (so a corrupt file can never pass by being skipped). Pure; the
 * caller reads the file and prints `N passed, N failed`.
 */
export function checkVectors(
  comparator: VersionComparator,
  text: string,
): VectorReport {
  const report: VectorReport = { passed: 0, failed: 0, failures: [] };
  const lines = text.split('\n');
  lines.forEach((raw, index) => {
    // Tolerate CRLF files: the `\r` is not part of the version.
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '' || line.startsWith('#')) return;
    const failure = checkLine(comparator, line, index + 1);
    if (failure === undefined) {
      report.passed++;
    } else {
      report.failed++;
      report.failures.push(failure);
    }
  });
  return report;
}

function checkLine(
  comparator: VersionComparator,
  line: string,
  lineNumber: number,
): VectorFailure | undefined {
  const match = VECTOR_RE.exec(line);
  if (match === null) {
    return {
      line: lineNumber,
      text: line,
      expected: 'a line of the form "A <op> B" (op one of <, =, >)',
      actual: 'unparsable line',
    };
  }
  const [, a = '', expected = '', b = ''] = match;
  const actual = compareSymbol(comparator, a, b);
  if (actual === expected) return undefined;
  return { line: lineNumber, text: line, expected, actual };
}
