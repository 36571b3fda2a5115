import { describe, expect, it } from 'vitest';
import type { ImportResult } from '../../../lib/vulndb/import.js';
import { importSummary, progressLine } from './import-report.js';

const result = (over: Partial<ImportResult> = {}): ImportResult => ({
  importId: 7,
  snapshotId: 5,
  counts: { added: 1, changed: 3, unchanged: 96, withdrawn: 1, skipped: 1 },
  feeds: [
    {
      feed: '/srv/osv',
      added: 1,
      changed: 3,
      unchanged: 96,
      withdrawn: 1,
      skipped: 1,
    },
  ],
  read: 100,
  changedPackages: 6,
  warnings: [{ file: '/srv/osv/BAD.json', message: 'invalid JSON' }],
  durationMs: 2_000,
  ...over,
});

describe('importSummary', () => {
  it('gives totals, a row per input, warnings and what happens next', () => {
    expect(importSummary(result())).toEqual([
      'import 7: 1 added, 3 changed, 96 unchanged, 1 withdrawn, 1 skipped in 2.0 s (50 records/s); snapshot 5',
      '      added   changed withdrawn unchanged   skipped  source',
      '          1         3         1        96         1  /srv/osv',
      '  warning: /srv/osv/BAD.json: invalid JSON',
      'images holding the 6 package(s) the changes name are being re-matched',
    ]);
  });

  it('caps the warnings it prints and says when nothing changed', () => {
    const many = Array.from({ length: 25 }, (_, i) => ({
      file: `f${i}`,
      line: i + 1,
      message: 'bad',
    }));
    const lines = importSummary(result({ warnings: many, changedPackages: 0 }));
    expect(lines.filter((l) => l.startsWith('  warning:'))).toHaveLength(20);
    expect(lines).toContain('  warning: f0:1: bad');
    expect(lines).toContain('  … 5 more warnings');
    expect(lines.at(-1)).toBe(
      'no advisory changed: no image needs re-matching',
    );
  });
});

describe('progressLine', () => {
  it('draws a bar over the inputs with the records and their rate', () => {
    expect(
      progressLine({
        read: 1500,
        input: '/data/osv',
        inputIndex: 2,
        inputs: 4,
        elapsedMs: 3_000,
      }),
    ).toBe(
      '[======>                 ] 2/4 inputs, 1500 records, 500/s /data/osv',
    );
  });

  it('shortens a long input to the width', () => {
    const line = progressLine(
      {
        read: 1,
        input: `/${'x'.repeat(200)}/all.zip`,
        inputIndex: 1,
        inputs: 1,
        elapsedMs: 0,
      },
      80,
    );
    expect(line.length).toBeLessThanOrEqual(80);
    expect(line.endsWith('x/all.zip')).toBe(true);
    expect(line).toContain('…');
  });
});
