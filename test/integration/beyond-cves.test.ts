/**
 * Acceptance of "beyond CVEs" through the real thing: images built here
 * and pushed to a real registry (docker-registry) that notifies a real
 * `customs serve` on PostgreSQL. The planted image's secrets (kept and
 * deleted) are found with the right rule, path, line and layer, the clean
 * counterpart gives nothing, the rules deny in prod; and the planted secret
 * values appear nowhere: not in the database dump, not in the logs, not in
 * any API, door or admission answer.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImageEvidence } from '../../lib/core/image-evidence.js';
import { waitUntil } from '../helpers/customs-api.js';
import {
  hdbSignature,
  startClamd,
  type ClamdHandle,
} from '../helpers/clamd.js';
import { runCustoms, type CustomsProcess } from '../helpers/customs-process.js';
import {
  baseLayer,
  cleanLayers,
  EICAR,
  layerBlobs,
  PLANTED_SECRETS,
  plantedLayers,
  pushLayeredImage,
  type PushedImage,
} from '../helpers/planted-images.js';
import { createTestDatabase } from '../helpers/postgres.js';
import { sha256Digest } from '../helpers/oci-push.js';
import { type RegistryHandle } from '../helpers/registry.js';
import { startNotifiedStack } from '../helpers/notified-stack.js';

const execFileAsync = promisify(execFile);
const shared = (p: string) =>
  new URL(`../../../shared/${p}`, import.meta.url).pathname;
const SECRET = 'beyond-intake-secret';
const RULES = `version: 1
environments:
  dev:
    vulnerabilities: { maxSeverity: critical }
  prod:
    secrets: { deny: true }
    malware: { deny: true, requireScanned: true }
    vulnerabilities: { maxSeverity: critical, denyKnownExploitedWithFix: true }
    baseImage: { requireApproved: true }
    baseline:
      require: [CUSTOMS-CFG-001, CUSTOMS-CFG-006]
      requireAnnotations: [org.opencontainers.image.source, org.opencontainers.image.revision]
`;

interface Report {
  evidence?: ImageEvidence;
  findings?: Array<{
    advisoryId: string;
    packageName: string;
    severity: string;
    priority?: { level: string };
  }>;
  verdicts: Record<
    string,
    { status: string; reasons: Array<{ code: string; message: string }> }
  >;
}

describe('beyond CVEs, end to end', () => {
  let work: string;
  let registry: RegistryHandle;
  let customs: CustomsProcess;
  let db: { url: string; drop(): Promise<void> };
  let clamd: ClamdHandle;
  let env: Record<string, string>;
  let planted: PushedImage;
  let clean: PushedImage;
  const answers: string[] = [];

  const report = async (image: PushedImage): Promise<Report> => {
    const res = await fetch(
      `${customs.url}/api/v1/images/${image.repository}@${image.digest}`,
      { headers: { Authorization: `Bearer ${customs.apiToken}` } },
    );
    const text = await res.text();
    answers.push(text);
    return JSON.parse(text) as Report;
  };
  const judged = (image: PushedImage) =>
    waitUntil(
      `verdicts of ${image.repository}`,
      async () => {
        const r = await report(image);
        return ['dev', 'prod'].every(
          (e) => r.verdicts[e] && r.verdicts[e].status !== 'pending',
        );
      },
      () => customs.output().slice(-4000),
      120_000,
    );

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'customs-beyond-'));
    db = await createTestDatabase();
    writeFileSync(join(work, 'rules.yaml'), RULES);
    // The clean image's first layer is revision 1 of an approved base.
    const [base] = layerBlobs([baseLayer()]);
    writeFileSync(
      join(work, 'customs.yaml'),
      [
        'version: 1',
        'scan:',
        '  baseImages:',
        '    - name: customs-test-base',
        '      revisions:',
        `        - [${sha256Digest(base as Buffer)}]`,
        `        - [sha256:${'e'.repeat(64)}]`,
        '',
      ].join('\n'),
    );
    clamd = await startClamd([hdbSignature(EICAR, 'Customs-Test-EICAR')]);
    ({ registry, customs, env } = await startNotifiedStack(work, SECRET, {
      CUSTOMS_DATABASE__URL: db.url,
      CUSTOMS_RULES__FILE: join(work, 'rules.yaml'),
      // The most talkative level: nothing logged may carry a secret.
      CUSTOMS_LOG__LEVEL: 'debug',
      CUSTOMS_SCAN__MALWARE__CLAMAV__ADDRESS: clamd.tcpAddress,
      CUSTOMS_CONFIG: join(work, 'customs.yaml'),
    }));
    planted = await pushLayeredImage(
      registry.url,
      { repository: 'beyond/planted', tag: '1.0' },
      plantedLayers(),
      'planted',
    );
    clean = await pushLayeredImage(
      registry.url,
      { repository: 'beyond/clean', tag: '1.0' },
      cleanLayers(),
      'clean',
    );
    await judged(planted);
    await judged(clean);
  }, 300_000);

  afterAll(async () => {
    await customs?.stop();
    await registry?.stop();
    await clamd?.stop();
    await db?.drop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('finds the kept and the deleted secret, with rule, path, line and layer', async () => {
    const r = await report(planted);
    expect(
      r.evidence?.secrets.map((s) => [s.ruleId, s.path, s.line, s.layerDigest]),
    ).toEqual([
      ['github-pat', 'srv/app/.env', 3, planted.layers[0]],
      ['aws-access-key-id', 'root/.aws/credentials', 2, planted.layers[0]],
      ['aws-secret-access-key', 'root/.aws/credentials', 3, planted.layers[0]],
    ]);
    expect(r.evidence?.secrets[0]?.excerpt).toBe('GITHUB_TOKEN=*****');
    expect((await report(clean)).evidence?.secrets).toEqual([]);
  });

  it('denies secrets where the rules say so, with the reason', async () => {
    const r = await report(planted);
    expect(r.verdicts['dev']?.status).toBe('eligible');
    expect(r.verdicts['prod']?.status).toBe('ineligible');
    const reason = r.verdicts['prod']?.reasons.find(
      (x) => x.code === 'SECRETS_FOUND',
    );
    expect(reason?.message).toContain('github-pat in /srv/app/.env:3');
    expect((await report(clean)).verdicts['prod']?.status).toBe('eligible');
  });

  it('finds the EICAR file with ClamAV, and the malicious npm package once the OSV MAL data is imported', async () => {
    const before = await report(planted);
    expect(before.evidence?.malware).toEqual({
      clamav: 'scanned',
      hashLists: false,
      findings: [
        {
          source: 'clamav',
          name: 'Customs-Test-EICAR.UNOFFICIAL',
          path: 'srv/app/eicar.com',
          layerDigest: planted.layers[0],
        },
      ],
    });
    expect((await report(clean)).evidence?.malware).toEqual({
      clamav: 'scanned',
      hashLists: false,
      findings: [],
    });
    const imported = await runCustoms(
      [
        'vulndb',
        'import',
        new URL('../../../shared/data/osv/malicious', import.meta.url).pathname,
      ],
      env,
    );
    expect(imported.code).toBe(0);
    let after: Report | undefined;
    await waitUntil(
      'the malicious package finding',
      async () => {
        after = await report(planted);
        // Findings are stored first, then the image is judged again.
        return (after.verdicts['prod']?.reasons ?? []).some((r) =>
          r.message.includes('MAL-2025-20690'),
        );
      },
      () => customs.output().slice(-4000),
      120_000,
    );
    expect(
      after?.findings?.find((f) => f.advisoryId === 'MAL-2025-20690'),
    ).toMatchObject({ packageName: 'flatmap-stream', severity: 'critical' });
    const malware = after?.verdicts['prod']?.reasons.find(
      (x) => x.code === 'MALWARE_FOUND',
    );
    expect(malware?.message).toBe(
      'malware: Customs-Test-EICAR.UNOFFICIAL in /srv/app/eicar.com, malicious package (MAL-2025-20690)',
    );
    const cleanAfter = await report(clean);
    expect(cleanAfter.findings).toEqual([]);
    expect(cleanAfter.verdicts['prod']?.status).toBe('eligible');
  }, 180_000);

  it('checks the configuration baseline: root, no healthcheck, a setuid file; the clean image passes', async () => {
    const r = await report(planted);
    expect(r.evidence?.baseline?.findings.map((f) => f.id)).toEqual([
      'CUSTOMS-CFG-001',
      'CUSTOMS-CFG-002',
      'CUSTOMS-CFG-006',
    ]);
    expect(r.evidence?.baseline?.findings[2]?.details).toMatchObject({
      files: [{ path: 'usr/local/bin/rootshell', mode: '04755' }],
    });
    const messages = (r.verdicts['prod']?.reasons ?? [])
      .filter((x) => x.code === 'BASELINE_FAILED')
      .map((x) => x.message.split(' (')[0]);
    expect(messages).toEqual([
      'CUSTOMS-CFG-001 runs as root',
      'CUSTOMS-CFG-006 setuid or setgid files',
      'CUSTOMS-CFG-010 missing OCI annotation(s) org.opencontainers.image.source, org.opencontainers.image.revision: set them at build time',
    ]);
    const c = await report(clean);
    expect(c.evidence?.baseline).toEqual({
      findings: [],
      annotations: {
        'org.opencontainers.image.source': 'https://git.example.org/app',
        'org.opencontainers.image.revision': '0123456789abcdef',
      },
    });
  });

  it('recognises the approved base, and refuses the image built on none', async () => {
    expect((await report(clean)).evidence?.baseImage).toEqual({
      name: 'customs-test-base',
      revision: 1,
      latestRevision: 2,
      baseLayers: 1,
    });
    const r = await report(planted);
    expect(r.evidence?.baseImage).toBeUndefined();
    expect(
      r.verdicts['prod']?.reasons.find(
        (x) => x.code === 'BASE_IMAGE_UNAPPROVED',
      )?.message,
    ).toBe(
      'not built on an approved base: rebuild FROM an approved base image',
    );
  });

  it('imports KEV offline: a known-exploited finding with a fix is P1 and denied', async () => {
    const imported = await runCustoms(
      [
        'vulndb',
        'import',
        shared('data/kev/known_exploited_vulnerabilities.json'),
        shared('data/osv/pypi/PYSEC-2020-102.json'),
      ],
      env,
    );
    expect(imported.code).toBe(0);
    expect(imported.stdout).toContain(
      'exploitation data: kev 2025.08.25, 1404 CVEs',
    );
    let after: Report | undefined;
    await waitUntil(
      'the known-exploited verdict',
      async () => {
        after = await report(planted);
        return (after.verdicts['prod']?.reasons ?? []).some(
          (x) => x.code === 'KNOWN_EXPLOITED_WITH_FIX',
        );
      },
      () =>
        `${JSON.stringify(after?.verdicts['prod'])}\n${JSON.stringify(after?.findings?.map((f) => f.advisoryId))}\n${customs.output().slice(-3000)}`,
      120_000,
    );
    const salt = after?.findings?.find((f) => f.packageName === 'salt');
    expect(salt).toMatchObject({
      advisoryId: 'PYSEC-2020-102',
      priority: { level: 'P1' },
      exploit: { cveId: 'CVE-2020-11651', kevDateAdded: '2021-11-03' },
      attribution: { origin: 'app', layerDigest: planted.layers[0] },
    });
    expect(
      after?.verdicts['prod']?.reasons.find(
        (x) => x.code === 'KNOWN_EXPLOITED_WITH_FIX',
      )?.message,
    ).toBe(
      'known exploited (CISA KEV) with a fix available, priority P1: CVE-2020-11651: update the packages',
    );
    const explain = await runCustoms(
      [
        'explain',
        `${planted.repository}@${planted.digest}`,
        '--environment',
        'prod',
        '--url',
        customs.url,
        '--token',
        customs.apiToken,
      ],
      env,
    );
    expect(explain.code).toBe(1);
    expect(explain.stdout).toContain('priority P1: CVE-2020-11651');
  }, 180_000);

  it('never stores, logs or answers a planted secret', async () => {
    const door = await fetch(
      `${customs.url}/v2/prod/${planted.repository}/manifests/${planted.tag}`,
      { headers: { Accept: 'application/vnd.oci.image.manifest.v1+json' } },
    );
    expect(door.status).toBe(403);
    answers.push(await door.text());
    const admission = await fetch(
      `${customs.url}/admission/imagereview?environment=prod`,
      {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({
          apiVersion: 'imagepolicy.k8s.io/v1alpha1',
          kind: 'ImageReview',
          spec: {
            containers: [
              {
                image: `127.0.0.1:${customs.port}/prod/${planted.repository}@${planted.digest}`,
              },
            ],
          },
        }),
      },
    );
    answers.push(await admission.text());
    expect(answers.join('\n')).toContain('SECRETS_FOUND');
    const { stdout: dump } = await execFileAsync(
      'pg_dump',
      ['--data-only', db.url],
      { maxBuffer: 256 * 1024 ** 2 },
    );
    expect(dump).toContain('github-pat');
    const logs = customs.output();
    expect(logs).toContain('scan done');
    for (const value of Object.values(PLANTED_SECRETS)) {
      expect(dump, 'database dump').not.toContain(value);
      expect(logs, 'logs').not.toContain(value);
      expect(answers.join('\n'), 'API answers').not.toContain(value);
    }
  });
});
