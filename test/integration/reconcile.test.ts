/**
 * The reconcile walk: images pushed while no notification reached Customs
 * are found by walking the upstream (catalog → tags → digests) at start,
 * and a restart queues nothing already judged.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startCustoms,
  type CustomsProcess,
} from '../helpers/customs-process.js';
import {
  freePort,
  pushTestImages,
  startRegistry,
  type RegistryHandle,
} from '../helpers/registry.js';

interface LogLine {
  msg: string;
  queued?: number;
  repositories?: number;
  tags?: number;
}

describe('reconcile walk', () => {
  let work: string;
  let registry: RegistryHandle;
  let customs: CustomsProcess | undefined;
  const digests: Record<string, string> = {};
  let env: Record<string, string>;

  const walks = (c: CustomsProcess) =>
    c
      .output()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as LogLine)
      .filter((l) => l.msg === 'upstream reconciled');
  const until = async <T>(
    what: string,
    probe: () => Promise<T | undefined> | T | undefined,
  ): Promise<T> => {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const v = await probe();
      if (v !== undefined) return v;
      if (Date.now() > deadline)
        throw new Error(
          `timed out waiting for ${what}:\n${customs?.output().slice(-3000)}`,
        );
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'customs-reconcile-'));
    registry = await startRegistry();
    for (const { ref, digest } of await pushTestImages(registry, [
      'busybox',
      'multiarch',
    ])) {
      digests[ref.replace(`${registry.host}/`, '').replace(/:[^:]*$/, '')] =
        digest;
    }
    env = {
      CUSTOMS_DATADIR: join(work, 'data'),
      CUSTOMS_UPSTREAM__URL: registry.url,
    };
  }, 300_000);
  afterAll(async () => {
    await customs?.stop();
    await registry?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('judges every tagged image of the upstream at start, without any event or pull', async () => {
    customs = await startCustoms(await freePort(), env);
    const walk = await until('the first walk', () => walks(customs!)[0]);
    expect(walk).toMatchObject({ repositories: 2, tags: 2, queued: 2 });
    for (const repo of ['test/busybox-static', 'test/multiarch']) {
      const report = await until(`verdicts of ${repo}`, async () => {
        const res = await fetch(
          `${customs!.url}/api/v1/images/${repo}@${digests[repo]}`,
          { headers: { Authorization: `Bearer ${customs!.apiToken}` } },
        );
        const body = res.ok
          ? ((await res.json()) as {
              verdicts: Record<string, { status: string }>;
            })
          : undefined;
        return body && Object.keys(body.verdicts).length === 3
          ? body
          : undefined;
      });
      expect(report.verdicts.dev?.status).toBe('eligible');
    }
  });

  it('queues nothing already judged when it walks again after a restart', async () => {
    await customs!.stop();
    customs = await startCustoms(await freePort(), env);
    const walk = await until(
      'the walk after restart',
      () => walks(customs!)[0],
    );
    expect(walk).toMatchObject({ repositories: 2, tags: 2, queued: 0 });
  });
});
