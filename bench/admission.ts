/**
 * Admission decisions under load: wrk (64 connections, 2 threads) POSTs a
 * real AdmissionReview (a Pod naming an image by digest) to the built
 * `customs serve`, whose verdict for that image is cached in process.
 * Target: >= 10,000 decisions/s with p99 <= 5 ms. Prints JSON with the
 * figures, the same at 8, 16 and 32 connections (the share of the p99
 * that is queueing), and the load average (other work skews them).
 *
 *   npm run build && npx tsx bench/admission.ts [--seconds 10]
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startCustoms } from '../test/helpers/customs-process.js';
import {
  freePort,
  pushTestImages,
  startRegistry,
} from '../test/helpers/registry.js';
import { withBareServer } from './with-bare-server.js';
import { runWrk } from './wrk.js';

const { values } = parseArgs({
  options: { seconds: { type: 'string', default: '10' } },
});
const FIXTURE = new URL(
  '../test/fixtures/admission/pod.admissionreview.json',
  import.meta.url,
);

const registry = await startRegistry();
const work = mkdtempSync(join(tmpdir(), 'customs-bench-admission-'));
try {
  const [busybox] = await pushTestImages(registry, ['busybox']);
  const image = `${registry.host}/test/busybox-static@${busybox!.digest}`;
  const customs = await startCustoms(await freePort(), {
    CUSTOMS_DATADIR: join(work, 'data'),
    CUSTOMS_UPSTREAM__URL: registry.url,
    CUSTOMS_LOG__LEVEL: 'warn',
  });
  try {
    // The first pull scans and judges the image (dev takes anything scanned).
    const first = await fetch(
      `${customs.url}/v2/dev/test/busybox-static/manifests/${busybox!.digest}`,
    );
    if (first.status !== 200) throw new Error(`first pull: ${first.status}`);
    const review = readFileSync(FIXTURE, 'utf8').replace(
      /IMAGE_[A-Z]+/g,
      image,
    );
    const url = `${customs.url}/admission/validate/dev`;
    const answer = (await (
      await fetch(url, { method: 'POST', body: review })
    ).json()) as { response: { allowed: boolean } };
    if (!answer.response.allowed)
      throw new Error(`the image is not admitted: ${JSON.stringify(answer)}`);
    const script = join(work, 'admission.lua');
    writeFileSync(
      script,
      [
        'wrk.method = "POST"',
        `wrk.body = ${JSON.stringify(JSON.stringify(JSON.parse(review)))}`,
        'wrk.headers["Content-Type"] = "application/json"',
        '',
      ].join('\n'),
    );
    const before = loadavg()[0]!;
    const seconds = Number(values.seconds);
    const bare = await withBareServer(['admission'], (bareUrl) =>
      runWrk({ url: `${bareUrl}/`, seconds, script }),
    );
    const load = runWrk({ url, seconds, script });
    // Fewer connections: how much of the p99 at 64 is waiting in line.
    const sweep = [8, 16, 32].map((connections) => ({
      connections,
      ...runWrk({ url, seconds, script, connections }),
    }));
    console.log(
      JSON.stringify(
        {
          bench: 'admission',
          endpoint:
            '/admission/validate/dev (AdmissionReview v1, Pod, 3 images by digest)',
          connections: 64,
          seconds,
          ...load,
          target: { requestsPerSecond: 10_000, p99Ms: 5 },
          met: load.requestsPerSecond >= 10_000 && load.p99Ms <= 5,
          // Little's law: with 64 requests always in flight, the mean
          // latency is 64 / throughput; a p99 of 5 ms needs far more.
          bareNodeServer: {
            what: 'node:http that parses the review and allows, no verdict lookup (the floor)',
            ...bare,
          },
          ratioToBareNode: {
            requestsPerSecond: Number(
              (load.requestsPerSecond / bare.requestsPerSecond).toFixed(2),
            ),
            p99: Number((load.p99Ms / bare.p99Ms).toFixed(2)),
          },
          meanLatencyAt64Ms: Number(
            ((64 / load.requestsPerSecond) * 1000).toFixed(2),
          ),
          fewerConnections: sweep,
          loadAverage1m: { before, after: loadavg()[0] },
          cpus: 2,
        },
        null,
        2,
      ),
    );
  } finally {
    await customs.stop();
  }
} finally {
  await registry.stop();
  rmSync(work, { recursive: true, force: true });
}
