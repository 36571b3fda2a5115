/**
 * Manifest reads under load (wrk, 64 connections, 2 threads): GET by digest
 * and GET by tag through Customs' door (verdict check, blob cache on) ÷
 * the same requests straight to docker-registry, in one run. Prints JSON
 * with requests/s, p99 latency and the ratios.
 *
 *   npm run build && npx tsx bench/manifest-load.ts [--seconds 10]
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startCustoms } from '../test/helpers/customs-process.js';
import {
  freePort,
  pushTestImages,
  startRegistry,
} from '../test/helpers/registry.js';
import { runWrk, type Load } from './wrk.js';

const { values } = parseArgs({
  options: { seconds: { type: 'string', default: '10' } },
});
const ACCEPT = 'Accept: application/vnd.oci.image.manifest.v1+json';

/** wrk with a Lua script that sets only the method. */
function wrk(url: string, method: 'GET' | 'HEAD'): Load {
  const script = join(tmpdir(), `customs-wrk-${method}.lua`);
  writeFileSync(script, `wrk.method = "${method}"\n`);
  return runWrk({
    url,
    seconds: Number(values.seconds),
    script,
    headers: [ACCEPT],
  });
}

const registry = await startRegistry();
const work = mkdtempSync(join(tmpdir(), 'customs-bench-manifest-'));
try {
  const [busybox] = await pushTestImages(registry, ['busybox']);
  const customs = await startCustoms(await freePort(), {
    CUSTOMS_DATADIR: join(work, 'data'),
    CUSTOMS_UPSTREAM__URL: registry.url,
    CUSTOMS_CACHE__DRIVER: 'fs',
    CUSTOMS_LOG__LEVEL: 'warn',
  });
  try {
    const first = await fetch(
      `${customs.url}/v2/dev/test/busybox-static/manifests/1.35.0`,
    );
    if (first.status !== 200) throw new Error(`first pull: ${first.status}`);
    const byDigest = (base: string, prefix: string) =>
      `${base}/v2/${prefix}test/busybox-static/manifests/${busybox!.digest}`;
    const byTag = (base: string, prefix: string) =>
      `${base}/v2/${prefix}test/busybox-static/manifests/1.35.0`;
    const results = {
      getByDigest: {
        direct: wrk(byDigest(registry.url, ''), 'GET'),
        customs: wrk(byDigest(customs.url, 'dev/'), 'GET'),
      },
      getByTag: {
        direct: wrk(byTag(registry.url, ''), 'GET'),
        customs: wrk(byTag(customs.url, 'dev/'), 'GET'),
      },
    };
    const ratio = (r: { direct: Load; customs: Load }) =>
      Number(
        (r.customs.requestsPerSecond / r.direct.requestsPerSecond).toFixed(2),
      );
    console.log(
      JSON.stringify(
        {
          bench: 'manifest-load',
          connections: 64,
          seconds: Number(values.seconds),
          getByDigest: {
            ...results.getByDigest,
            ratio: ratio(results.getByDigest),
          },
          getByTag: { ...results.getByTag, ratio: ratio(results.getByTag) },
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
