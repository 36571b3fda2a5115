/**
 * `/metrics` after an end-to-end flow on real parts: a real docker-registry
 * notifies `customs serve`, a real image is pushed with skopeo, pulled
 * through the door for dev (served) and prod (denied), and reviewed at the
 * admission door. Every family the flow touches must have moved; the logs
 * carry request ids and no secrets.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitUntil } from '../helpers/customs-api.js';
import { type CustomsProcess } from '../helpers/customs-process.js';
import { sampleSum, scrape, type Sample } from '../helpers/prometheus.js';
import { pushTestImages, type RegistryHandle } from '../helpers/registry.js';
import { startNotifiedStack } from '../helpers/notified-stack.js';

const exec = promisify(execFile);
const SECRET = 'metrics-intake-secret';
const IMAGE = 'test/busybox-static';

describe('metrics after an end-to-end flow', () => {
  let work: string;
  let registry: RegistryHandle;
  let customs: CustomsProcess;
  let before: Sample[];
  let after: Sample[];
  let digest: string;
  let prodReason: string;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'customs-metrics-'));
    ({ registry, customs } = await startNotifiedStack(work, SECRET, {
      CUSTOMS_LOG__LEVEL: 'info',
    }));
    before = await scrape(customs.url);
    const pushed = await pushTestImages(registry, ['busybox']);
    digest = pushed[0]!.digest;
    await waitUntil(
      'verdicts of the pushed image',
      async () => {
        const res = await fetch(
          `${customs.url}/api/v1/images/${IMAGE}@${digest}`,
          { headers: { Authorization: `Bearer ${customs.apiToken}` } },
        );
        const body = (await res.json()) as {
          verdicts?: Record<string, { reasons: Array<{ code: string }> }>;
        };
        prodReason = body.verdicts?.['prod']?.reasons[0]?.code ?? '';
        return Object.keys(body.verdicts ?? {}).length === 3;
      },
      () => customs.output().slice(-4000),
    );
    const host = new URL(customs.url).host;
    const pull = (env: string) =>
      exec('skopeo', [
        'copy',
        '--src-tls-verify=false',
        `docker://${host}/${env}/${IMAGE}:1.35.0`,
        `oci:${join(work, env)}`,
      ]);
    await pull('dev');
    await expect(pull('prod')).rejects.toThrow(/denied/i);
    const review = await fetch(`${customs.url}/admission/imagereview`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        apiVersion: 'imagepolicy.k8s.io/v1alpha1',
        kind: 'ImageReview',
        spec: {
          containers: [{ image: `${host}/prod/${IMAGE}@${digest}` }],
        },
      }),
    });
    expect(review.status).toBe(200);
    after = await scrape(customs.url);
  }, 300_000);

  afterAll(async () => {
    await customs?.stop();
    await registry?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  const moved = (name: string, labels: Record<string, string> = {}) =>
    sampleSum(after, name, labels) - sampleSum(before, name, labels);

  it('counts the push, the scan and its duration', () => {
    expect(
      moved('customs_intake_events_total', {
        source: 'distribution',
        outcome: 'accepted',
      }),
    ).toBeGreaterThanOrEqual(1);
    expect(moved('customs_scans_total', { outcome: 'done' })).toBe(1);
    expect(moved('customs_scan_duration_seconds_count')).toBe(1);
    expect(moved('customs_scan_duration_seconds_sum')).toBeGreaterThan(0);
  });

  it('counts door requests by environment and verdict, and refusals by reason', () => {
    expect(
      moved('customs_door_requests_total', {
        kind: 'manifest',
        environment: 'dev',
        verdict: 'served',
      }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      moved('customs_door_requests_total', {
        kind: 'blob',
        environment: 'dev',
        verdict: 'served',
      }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      moved('customs_door_requests_total', {
        environment: 'prod',
        verdict: 'denied',
      }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      moved('customs_refusals_total', {
        door: 'registry',
        reason: prodReason,
      }),
    ).toBeGreaterThanOrEqual(1);
  });

  it('counts admission decisions, their latency and their refusals', () => {
    expect(
      moved('customs_admission_decisions_total', {
        environment: 'prod',
        decision: 'denied',
      }),
    ).toBe(1);
    expect(moved('customs_admission_duration_seconds_count')).toBe(1);
    expect(
      moved('customs_refusals_total', {
        door: 'admission',
        reason: prodReason,
      }),
    ).toBe(1);
  });

  it('reports cache lookups, queues and data age', () => {
    expect(
      moved('customs_cache_requests_total', { cache: 'verdict' }),
    ).toBeGreaterThanOrEqual(2);
    const ratio = sampleSum(after, 'customs_cache_hit_ratio', {
      cache: 'verdict',
    });
    expect(ratio).toBeGreaterThanOrEqual(0);
    expect(ratio).toBeLessThanOrEqual(1);
    expect(
      after
        .filter((s) => s.name === 'customs_queue_depth')
        .map((s) => s.labels['queue']),
    ).toEqual(expect.arrayContaining(['scan', 'reevaluate', 'rematch']));
    expect(
      after.some((s) => s.name === 'customs_queue_oldest_age_seconds'),
    ).toBe(true);
    // No data was imported: the age says so.
    expect(sampleSum(after, 'customs_vulndb_data_age_seconds')).toBe(-1);
  });

  it('counts upstream errors when the registry is down', async () => {
    const upstream = (s: Sample[]) =>
      sampleSum(s, 'customs_upstream_errors_total', {
        reason: 'UPSTREAM_UNAVAILABLE',
      });
    const before = upstream(await scrape(customs.url));
    await registry.stop();
    const res = await fetch(
      `${customs.url}/v2/dev/${IMAGE}/manifests/no-such-tag`,
    );
    expect(res.status).toBe(503);
    expect(upstream(await scrape(customs.url))).toBeGreaterThan(before);
    expect(
      sampleSum(await scrape(customs.url), 'customs_door_requests_total', {
        kind: 'manifest',
        environment: 'dev',
        verdict: 'unavailable',
      }),
    ).toBeGreaterThanOrEqual(1);
  });

  it('logs API requests with a request id and never a credential', async () => {
    const res = await fetch(`${customs.url}/api/v1/vulndb/imports`, {
      method: 'POST',
      headers: {
        Authorization: 'Bearer not-the-token-8c1f3e',
        'X-Request-Id': 'req-metrics-e2e-1',
      },
    });
    expect(res.status).toBe(401);
    expect(res.headers.get('x-request-id')).toBe('req-metrics-e2e-1');
    await waitUntil(
      'the request log line',
      () => Promise.resolve(customs.output().includes('req-metrics-e2e-1')),
      () => customs.output().slice(-2000),
      5_000,
    );
    const line = customs
      .output()
      .split('\n')
      .find((l) => l.includes('req-metrics-e2e-1'));
    expect(JSON.parse(line!)).toMatchObject({
      reqId: 'req-metrics-e2e-1',
      req: { method: 'POST', url: '/api/v1/vulndb/imports' },
      res: { status: 401 },
    });
    expect(customs.output()).not.toContain('not-the-token-8c1f3e');
    expect(customs.output()).not.toContain(SECRET);
    expect(customs.output()).not.toContain(customs.apiToken);
  });
});
