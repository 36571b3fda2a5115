/**
 * Webhook-to-verdict time for the Debian test image: a real docker-registry
 * notifies a real `customs serve` (embedded PGlite); the time runs from the
 * moment intake accepted the push event to the moment every environment's
 * verdict was stored (both read from Customs' own log records). A fresh
 * registry and data directory per run. Prints JSON.
 *
 *   npm run build && npx tsx bench/webhook-to-verdict.ts [--runs 3]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startCustoms } from '../test/helpers/customs-process.js';
import {
  freePort,
  pushTestImages,
  startRegistry,
} from '../test/helpers/registry.js';

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '3' } },
});
const runs = Number(values.runs);
const median = (xs: number[]) =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

interface LogLine {
  time: string;
  msg: string;
  repository?: string;
}

function timeOf(lines: LogLine[], msg: string): number {
  const line = lines.find(
    (l) => l.msg === msg && l.repository === 'test/debian',
  );
  if (!line) throw new Error(`no "${msg}" log line for test/debian`);
  return Date.parse(line.time);
}

async function once(): Promise<{ webhookToVerdictMs: number; scanMs: number }> {
  const work = mkdtempSync(join(tmpdir(), 'customs-bench-'));
  const port = await freePort();
  const registry = await startRegistry({
    notifyUrl: `http://127.0.0.1:${port}/webhooks/distribution`,
    secret: 'bench',
    ignorePull: true,
  });
  const customs = await startCustoms(port, {
    CUSTOMS_DATADIR: work,
    CUSTOMS_UPSTREAM__URL: registry.url,
    CUSTOMS_INTAKE__SECRET: 'bench',
  });
  try {
    await pushTestImages(registry, ['debian']);
    const deadline = Date.now() + 120_000;
    let lines: LogLine[] = [];
    while (Date.now() < deadline) {
      lines = customs
        .output()
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as LogLine);
      if (
        lines.some(
          (l) => l.msg === 'image judged' && l.repository === 'test/debian',
        )
      )
        break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const accepted = timeOf(lines, 'event accepted');
    return {
      webhookToVerdictMs: timeOf(lines, 'image judged') - accepted,
      scanMs: timeOf(lines, 'scan done') - accepted,
    };
  } finally {
    await customs.stop();
    await registry.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

const results = [];
for (let i = 0; i < runs; i++) results.push(await once());
console.log(
  JSON.stringify(
    {
      bench: 'webhook-to-verdict',
      image: 'test/debian:bookworm-minbase',
      runs,
      webhookToVerdictMs: {
        median: median(results.map((r) => r.webhookToVerdictMs)),
        all: results.map((r) => r.webhookToVerdictMs),
      },
      acceptedToScanDoneMs: {
        median: median(results.map((r) => r.scanMs)),
        all: results.map((r) => r.scanMs),
      },
    },
    null,
    2,
  ),
);
