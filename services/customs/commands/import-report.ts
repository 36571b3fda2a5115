import type { ImportResult } from '../../../lib/vulndb/import.js';

/** Most warnings printed after an import; the rest are counted. */
export const MAX_PRINTED_WARNINGS = 20;
const BAR_WIDTH = 24;

/** The state a progress line shows. */
export interface ImportProgress {
  read: number;
  input: string;
  /** 1-based index of the input being read, of `inputs`. */
  inputIndex: number;
  inputs: number;
  elapsedMs: number;
}

/**
 * One progress line for a terminal: a bar over the inputs, records read
 * and their rate, and the input being read (shortened to `width`).
 */
export function progressLine(p: ImportProgress, width = 100): string {
  const done = Math.min(
    BAR_WIDTH,
    Math.round((BAR_WIDTH * (p.inputIndex - 1)) / Math.max(1, p.inputs)),
  );
  const bar = `${'='.repeat(done)}${done < BAR_WIDTH ? '>' : ''}`.padEnd(
    BAR_WIDTH,
    ' ',
  );
  const rate = p.elapsedMs > 0 ? Math.round((p.read * 1000) / p.elapsedMs) : 0;
  const head = `[${bar}] ${p.inputIndex}/${p.inputs} inputs, ${p.read} records, ${rate}/s `;
  const room = Math.max(10, width - head.length);
  const input =
    p.input.length > room
      ? `…${p.input.slice(p.input.length - room + 1)}`
      : p.input;
  return head + input;
}

/** The summary printed after an import: totals, a table per feed, warnings. */
export function importSummary(result: ImportResult): string[] {
  const seconds = result.durationMs / 1000;
  const rate = seconds > 0 ? Math.round(result.read / seconds) : result.read;
  const c = result.counts;
  const lines = [
    `import ${result.importId}: ${c.added} added, ${c.changed} changed, ` +
      `${c.unchanged} unchanged, ${c.withdrawn} withdrawn, ${c.skipped} skipped ` +
      `in ${seconds.toFixed(1)} s (${rate} records/s); snapshot ${result.snapshotId}`,
    row(['added', 'changed', 'withdrawn', 'unchanged', 'skipped', 'source']),
    ...result.feeds.map((f) =>
      row([f.added, f.changed, f.withdrawn, f.unchanged, f.skipped, f.feed]),
    ),
  ];
  for (const w of result.warnings.slice(0, MAX_PRINTED_WARNINGS)) {
    lines.push(
      `  warning: ${w.file}${w.line ? `:${w.line}` : ''}: ${w.message}`,
    );
  }
  if (result.warnings.length > MAX_PRINTED_WARNINGS) {
    lines.push(
      `  … ${result.warnings.length - MAX_PRINTED_WARNINGS} more warnings`,
    );
  }
  lines.push(
    result.changedPackages === 0
      ? 'no advisory changed: no image needs re-matching'
      : `images holding the ${result.changedPackages} package(s) the changes name are being re-matched`,
  );
  return lines;
}

function row(cells: Array<string | number>): string {
  const numbers = cells.slice(0, 5).map((c) => String(c).padStart(9));
  return `  ${numbers.join(' ')}  ${String(cells[5])}`;
}
