/**
 * Manifest reads under load (wrk, 64 connections, 2 threads), in one run:
 * GET by digest and by tag through Customs' door (verdict
 * check, blob cache on), with the tag cache on (default `door.tagCacheMs`)
 * and off, ÷ the same requests straight to docker-registry; and a bare
 * node:http server answering the same bytes (the floor of any Node server
 * on this machine). wrk sends as many requests as the server can take, so
 * the p99 at 64 connections is mostly waiting in line; the by-digest GET is
 * also run at 16 and 8 connections, and both GETs at 64 connections paced
 * to about 8,000 requests/s (above the 5,000/s target) to show the answer
 * time without the line. Prints JSON.
 * (HEAD takes the same path without the body; wrk cannot measure it: it
 * waits for a HEAD response's body and counts no request at all.)
 *
 *   npm run build && npx tsx bench/manifest-load.ts [--seconds 10]
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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
import { runWrk, type Load } from './wrk.js';

const { values } = parseArgs({
  options: { seconds: { type: 'string', default: '10' } },
});
const seconds = Number(values.seconds);
const WARM_UP_SECONDS = 3;
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const TARGET = { requestsPerSecond: 5_000, p99Ms: 5 };
/** Pause per connection in the paced runs: 64 connections ≈ 64 / 8 ms = 8,000 requests/s. */
const PACE_MS = 8;

/**
 * wrk with a Lua script that sets only the method, after a warm-up run of
 * the same load that is not counted: every server measured (the registry,
 * Customs, the floor) is judged in its steady state, not while its JIT
 * compiler and heap are still settling.
 */
function wrk(url: string, method: 'GET', connections = 64, pauseMs = 0): Load {
  const script = join(tmpdir(), `customs-wrk-${method}-${pauseMs}.lua`);
  writeFileSync(
    script,
    `wrk.method = "${method}"\n` +
      (pauseMs > 0 ? `function delay()\n  return ${pauseMs}\nend\n` : ''),
  );
  const load = (s: number) =>
    runWrk({
      url,
      seconds: s,
      script,
      headers: [`Accept: ${OCI_MANIFEST}`],
      connections,
    });
  load(WARM_UP_SECONDS);
  return load(seconds);
}

const ratio = (customs: Load, base: Load) =>
  Number((customs.requestsPerSecond / base.requestsPerSecond).toFixed(2));
const met = (load: Load) =>
  load.requestsPerSecond >= TARGET.requestsPerSecond &&
  load.p99Ms <= TARGET.p99Ms;

const registry = await startRegistry();
const work = mkdtempSync(join(tmpdir(), 'customs-bench-manifest-'));
try {
  const [busybox] = await pushTestImages(registry, ['busybox']);
  const digest = busybox!.digest;
  const start = (name: string, env: Record<string, string> = {}) =>
    freePort().then((port) =>
      startCustoms(port, {
        CUSTOMS_DATADIR: join(work, name),
        CUSTOMS_UPSTREAM__URL: registry.url,
        CUSTOMS_CACHE__DRIVER: 'fs',
        CUSTOMS_LOG__LEVEL: 'warn',
        ...env,
      }),
    );
  const customs = await start('cached');
  const uncached = await start('uncached', { CUSTOMS_DOOR__TAGCACHEMS: '0' });
  try {
    for (const c of [customs, uncached]) {
      const first = await fetch(
        `${c.url}/v2/dev/test/busybox-static/manifests/1.35.0`,
      );
      if (first.status !== 200) throw new Error(`first pull: ${first.status}`);
    }
    const path = (prefix: string, reference: string) =>
      `/v2/${prefix}test/busybox-static/manifests/${reference}`;
    const manifest = await fetch(`${registry.url}${path('', digest)}`, {
      headers: { Accept: OCI_MANIFEST },
    });
    const manifestFile = join(work, 'manifest.json');
    writeFileSync(manifestFile, Buffer.from(await manifest.arrayBuffer()));
    const before = loadavg()[0]!;

    const bare = await withBareServer(
      ['file', manifestFile, OCI_MANIFEST, digest],
      (url) => wrk(`${url}${path('', digest)}`, 'GET'),
    );
    const getByDigest = {
      direct: wrk(`${registry.url}${path('', digest)}`, 'GET'),
      customs: wrk(`${customs.url}${path('dev/', digest)}`, 'GET'),
    };
    const getByTag = {
      direct: wrk(`${registry.url}${path('', '1.35.0')}`, 'GET'),
      customs: wrk(`${customs.url}${path('dev/', '1.35.0')}`, 'GET'),
      customsTagCacheOff: wrk(
        `${uncached.url}${path('dev/', '1.35.0')}`,
        'GET',
      ),
    };
    // The same 64 connections, each pausing PACE_MS between requests: an
    // offered load near PACED_RPS instead of as many as the server can
    // take, so the p99 is the answer time, not the wait in line.
    const paced = {
      getByDigest: wrk(
        `${customs.url}${path('dev/', digest)}`,
        'GET',
        64,
        PACE_MS,
      ),
      getByTag: wrk(
        `${customs.url}${path('dev/', '1.35.0')}`,
        'GET',
        64,
        PACE_MS,
      ),
    };
    const fewerConnections = [16, 8].map((connections) => ({
      connections,
      ...wrk(`${customs.url}${path('dev/', digest)}`, 'GET', connections),
    }));
    console.log(
      JSON.stringify(
        {
          bench: 'manifest-load',
          connections: 64,
          seconds,
          target: TARGET,
          getByDigest: {
            ...getByDigest,
            ratio: ratio(getByDigest.customs, getByDigest.direct),
            met: met(getByDigest.customs),
          },
          getByTag: {
            ...getByTag,
            ratio: ratio(getByTag.customs, getByTag.direct),
            ratioTagCacheOff: ratio(
              getByTag.customsTagCacheOff,
              getByTag.direct,
            ),
            met: met(getByTag.customs),
          },
          bareNodeServer: {
            what: 'node:http answering the same manifest bytes, no verdict or lookup (the floor)',
            ...bare,
            met: met(bare),
            customsByDigestRatio: ratio(getByDigest.customs, bare),
          },
          // Little's law: 64 requests always in flight wait 64 / throughput
          // on average; fewer connections show the latency without the line.
          meanLatencyAt64Ms: Number(
            ((64 / getByDigest.customs.requestsPerSecond) * 1000).toFixed(2),
          ),
          getByDigestFewerConnections: fewerConnections,
          paced64Connections: {
            pauseMs: PACE_MS,
            ...paced,
            met: met(paced.getByDigest) && met(paced.getByTag),
          },
          loadAverage1m: { before, after: loadavg()[0] },
          cpus: 2,
        },
        null,
        2,
      ),
    );
  } finally {
    await customs.stop();
    await uncached.stop();
  }
} finally {
  await registry.stop();
  rmSync(work, { recursive: true, force: true });
}
