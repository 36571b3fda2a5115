import { readFileSync } from 'node:fs';
import {
  comparatorFor,
  ecosystemNames,
} from '../../../lib/vulndb/versions/index.js';
import {
  checkVectors,
  compareSymbol,
} from '../../../lib/vulndb/versions/vectors.js';
import { CliError, EXIT, out } from './common.js';

/**
 * `customs version-compare ECOSYSTEM A B` prints `<`, `=` or `>`;
 * `--file F` checks a vectors file (`A <op> B` per line) and ends with
 * `N passed, N failed` (exit 1 when any failed).
 */
export function versionCompareCommand(
  ecosystem: string,
  versions: string[],
  options: { file?: string },
): number {
  const comparator = comparatorFor(ecosystem);
  if (!comparator)
    throw new CliError(
      `unknown ecosystem ${ecosystem}; known: ${ecosystemNames().join(', ')}`,
      EXIT.usage,
    );
  if (options.file) {
    const report = checkVectors(comparator, readFileSync(options.file, 'utf8'));
    for (const f of report.failures)
      out(`line ${f.line}: ${f.text}: expected ${f.expected}, got ${f.actual}`);
    out(`${report.passed} passed, ${report.failed} failed`);
    return report.failed === 0 ? EXIT.ok : EXIT.failure;
  }
  const [a, b] = versions;
  if (a === undefined || b === undefined || versions.length !== 2) {
    throw new CliError('give two versions (A B) or --file F', EXIT.usage);
  }
  out(compareSymbol(comparator, a, b));
  return EXIT.ok;
}
