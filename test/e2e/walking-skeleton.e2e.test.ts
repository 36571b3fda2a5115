/**
 * The whole path on real parts: a real docker-registry notifies the real
 * `customs serve`; real images are pushed with skopeo; vulnerability data is
 * imported with the CLI; skopeo pulls through the door; a real cosign-format
 * signature makes the image prod-eligible; the admission door answers the
 * same verdict. Run once on PGlite and once on PostgreSQL.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCosignKeyPair, signImage } from '../helpers/cosign.js';
import { runCustoms, type CustomsProcess } from '../helpers/customs-process.js';
import { createTestDatabase } from '../helpers/postgres.js';
import { pushTestImages, type RegistryHandle } from '../helpers/registry.js';
import { startNotifiedStack } from '../helpers/notified-stack.js';

const exec = promisify(execFile);
const SHARED = new URL('../../../shared/', import.meta.url);
const shared = (p: string) => new URL(p, SHARED).pathname;
const SECRET = 'e2e-intake-secret';

interface ExpectedRow {
  cve: string;
  expected: 'finding' | 'no-finding' | 'undetermined';
  binary_packages: string[];
}
const expectedRows = (
  JSON.parse(
    readFileSync(shared('data/expected/debian-bookworm-minbase.json'), 'utf8'),
  ) as { results: ExpectedRow[] }
).results;

interface Report {
  packages: unknown[];
  findings: Array<{
    advisoryId: string;
    aliases: string[];
    packageName: string;
    status: string;
  }>;
  signatures: Array<{ status: string; signer?: string }>;
  verdicts: Record<
    string,
    { status: string; reasons: Array<{ code: string; message: string }> }
  >;
}

const databases = [
  {
    name: 'PGlite',
    setup: () => Promise.resolve({ env: {}, drop: () => Promise.resolve() }),
  },
  {
    name: 'PostgreSQL',
    setup: async () => {
      const db = await createTestDatabase();
      return { env: { CUSTOMS_DATABASE__URL: db.url }, drop: () => db.drop() };
    },
  },
];

describe.each(databases)('walking skeleton on $name', ({ setup }) => {
  let work: string;
  let registry: RegistryHandle;
  let customs: CustomsProcess;
  let env: Record<string, string>;
  let drop: () => Promise<void>;
  let keyPrefix: string;
  const digests: Record<string, string> = {};
  let pushedAt = 0;

  const api = async (path: string) => {
    const res = await fetch(`${customs.url}${path}`, {
      headers: { Authorization: `Bearer ${customs.apiToken}` },
    });
    return {
      status: res.status,
      body: (await res.json()) as Report & { error?: { code: string } },
    };
  };
  const report = async (repo: string) =>
    (await api(`/api/v1/images/${repo}@${digests[repo]}`)).body;
  const waitFor = async <T>(
    what: string,
    probe: () => Promise<T | undefined>,
    timeoutMs = 60_000,
  ): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await probe().catch(() => undefined);
      if (value !== undefined) return value;
      if (Date.now() > deadline)
        throw new Error(
          `timed out waiting for ${what}\n${customs.output().slice(-4000)}`,
        );
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const skopeoCopy = (source: string, dest: string) =>
    exec('skopeo', [
      'copy',
      '--src-tls-verify=false',
      `docker://${source}`,
      `oci:${dest}`,
    ]);

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'customs-e2e-'));
    const db = await setup();
    drop = db.drop;
    keyPrefix = join(work, 'release');
    const { publicKeyFile } = await generateCosignKeyPair(keyPrefix);
    writeFileSync(
      join(work, 'rules.yaml'),
      readFileSync(
        new URL('../../config/rules.example.yaml', import.meta.url),
        'utf8',
      )
        .replace(
          'keys: {}',
          `keys:\n  release:\n    publicKeyFile: ${publicKeyFile}`,
        )
        .replace('requiredSigners: []', 'requiredSigners: [release]'),
    );
    ({ registry, customs, env } = await startNotifiedStack(work, SECRET, {
      ...db.env,
      CUSTOMS_RULES__FILE: join(work, 'rules.yaml'),
      CUSTOMS_LOG__LEVEL: 'info',
    }));
    pushedAt = Date.now();
    for (const { ref, digest } of await pushTestImages(registry, [
      'debian',
      'busybox',
    ])) {
      digests[ref.replace(`${registry.host}/`, '').replace(/:[^:]*$/, '')] =
        digest;
    }
  }, 300_000);

  afterAll(async () => {
    await customs?.stop();
    await registry?.stop();
    await drop?.();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('scans each pushed image and judges it per environment', async () => {
    const debian = await waitFor('debian verdicts', async () => {
      const r = await report('test/debian');
      return Object.keys(r.verdicts ?? {}).length === 3 &&
        r.verdicts.dev?.status !== 'pending'
        ? r
        : undefined;
    });
    const webhookToVerdictMs = Date.now() - pushedAt;
    console.log(
      JSON.stringify({
        metric: 'webhook-to-verdict-upper-bound-ms',
        value: webhookToVerdictMs,
      }),
    );
    expect(debian.packages).toHaveLength(88);
    expect(debian.verdicts.dev?.status).toBe('eligible');
    expect(debian.verdicts.prod?.status).toBe('ineligible');
    expect(debian.verdicts.prod?.reasons.map((r) => r.code)).toContain(
      'SIGNATURE_MISSING',
    );
    const busybox = await waitFor('busybox verdicts', async () => {
      const r = await report('test/busybox-static');
      return Object.keys(r.verdicts ?? {}).length === 3 ? r : undefined;
    });
    expect(busybox.packages).toEqual([]);
    expect(busybox.verdicts.dev?.status).toBe('eligible');
    expect(busybox.verdicts.prod).toMatchObject({
      status: 'ineligible',
      reasons: [{ code: 'SIGNATURE_MISSING' }],
    });
  });

  it('imports vulnerability data and re-matches stored images without a rescan', async () => {
    const result = await runCustoms(
      [
        'vulndb',
        'import',
        shared('data/raw/debian-security-tracker'),
        shared('data/osv'),
      ],
      env,
    );
    expect(result.stderr).not.toMatch(/unexpected/);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^import \d+: \d+ added/m);
    const debian = await waitFor('findings after import', async () => {
      const r = await report('test/debian');
      return r.findings.length > 0 &&
        r.verdicts.prod?.reasons.some((x) => x.code === 'SEVERITY_EXCEEDED')
        ? r
        : undefined;
    });
    const found = new Map<string, Set<string>>();
    for (const f of debian.findings) {
      for (const id of [f.advisoryId, ...f.aliases])
        found.set(
          id,
          (found.get(id) ?? new Set()).add(`${f.packageName}:${f.status}`),
        );
    }
    for (const row of expectedRows) {
      if (row.expected === 'no-finding')
        expect(found.has(row.cve), `${row.cve} must not be reported`).toBe(
          false,
        );
      else
        expect([...(found.get(row.cve) ?? [])].sort(), row.cve).toEqual(
          row.binary_packages
            .map(
              (b) =>
                `${b}:${row.expected === 'finding' ? 'affected' : 'undetermined'}`,
            )
            .sort(),
        );
    }
  });

  it('serves dev pulls and refuses prod pulls with the reason', async () => {
    const dev = join(work, 'dev-busybox');
    await skopeoCopy(
      `127.0.0.1:${customs.port}/dev/test/busybox-static:1.35.0`,
      dev,
    );
    const index = JSON.parse(readFileSync(join(dev, 'index.json'), 'utf8')) as {
      manifests: Array<{ digest: string }>;
    };
    expect(index.manifests[0]?.digest).toBe(digests['test/busybox-static']);
    const refused = await skopeoCopy(
      `127.0.0.1:${customs.port}/prod/test/busybox-static:1.35.0`,
      join(work, 'prod-busybox'),
    ).then(
      () => '',
      (err: { stderr: string }) => err.stderr,
    );
    expect(refused).toMatch(
      /denied: not eligible for prod \(ineligible\): unsigned/,
    );
    const res = await fetch(
      `${customs.url}/v2/prod/test/busybox-static/manifests/1.35.0`,
    );
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({
      errors: [
        {
          code: 'DENIED',
          detail: {
            environment: 'prod',
            repository: 'test/busybox-static',
            digest: digests['test/busybox-static'],
            status: 'ineligible',
            verdictId: expect.any(String),
            reasons: [{ code: 'SIGNATURE_MISSING' }],
          },
        },
      ],
    });
    // A blob of the image is refused in prod too (blob-level enforcement), served in dev.
    const manifest = (await (
      await fetch(`${customs.url}/v2/dev/test/busybox-static/manifests/1.35.0`)
    ).json()) as { layers: Array<{ digest: string }> };
    const layer = manifest.layers[0]!.digest;
    expect(
      (await fetch(`${customs.url}/v2/prod/test/busybox-static/blobs/${layer}`))
        .status,
    ).toBe(403);
    expect(
      (await fetch(`${customs.url}/v2/dev/test/busybox-static/blobs/${layer}`))
        .status,
    ).toBe(200);
    // …and not from another repository that never held it.
    expect(
      (await fetch(`${customs.url}/v2/dev/test/debian/blobs/${layer}`)).status,
    ).toBe(404);
  });

  it('makes the image prod-eligible when its signature is pushed, and serves it', async () => {
    const signedAt = Date.now();
    await signImage(`${registry.host}/test/busybox-static:1.35.0`, keyPrefix);
    const busybox = await waitFor(
      'prod eligibility after signing',
      async () => {
        const r = await report('test/busybox-static');
        return r.verdicts.prod?.status === 'eligible' ? r : undefined;
      },
    );
    console.log(
      JSON.stringify({
        metric: 'signature-push-to-eligible-upper-bound-ms',
        value: Date.now() - signedAt,
      }),
    );
    expect(busybox.signatures).toEqual([
      expect.objectContaining({ status: 'verified', signer: 'key:release' }),
    ]);
    await skopeoCopy(
      `127.0.0.1:${customs.port}/prod/test/busybox-static:1.35.0`,
      join(work, 'prod-busybox-signed'),
    );
    // The signature artifact itself is served with its subject (cosign verify through Customs).
    const sigTag = `sha256-${digests['test/busybox-static']!.slice(7)}.sig`;
    expect(
      (
        await fetch(
          `${customs.url}/v2/prod/test/busybox-static/manifests/${sigTag}`,
        )
      ).status,
    ).toBe(200);
  });

  it('answers ImageReview with the same verdicts as the registry door', async () => {
    const review = async (images: string[], query = '') => {
      const res = await fetch(`${customs.url}/admission/imagereview${query}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({
          apiVersion: 'imagepolicy.k8s.io/v1alpha1',
          kind: 'ImageReview',
          spec: {
            containers: images.map((image) => ({ image })),
            namespace: 'team',
          },
        }),
      });
      return {
        status: res.status,
        body: (await res.json()) as {
          kind: string;
          status: { allowed: boolean; reason: string };
        },
      };
    };
    const host = `127.0.0.1:${customs.port}`;
    const busybox = `test/busybox-static@${digests['test/busybox-static']}`;
    const debian = `test/debian@${digests['test/debian']}`;
    expect(
      (await review([`${host}/prod/${busybox}`])).body.status.allowed,
    ).toBe(true);
    const denied = await review([
      `${host}/prod/${busybox}`,
      `${host}/prod/${debian}`,
    ]);
    expect(denied.body).toMatchObject({
      kind: 'ImageReview',
      status: { allowed: false },
    });
    expect(denied.body.status.reason).toMatch(
      /test\/debian@sha256:[a-f0-9]{64}.*not eligible for prod/,
    );
    expect((await review([`${host}/dev/${debian}`])).body.status.allowed).toBe(
      true,
    );
    expect(
      (
        await review(
          [`${registry.host}/test/debian:bookworm-minbase`],
          '?environment=test',
        )
      ).body.status.allowed,
    ).toBe(true);
    // Same digest, same environment, same answer at both doors.
    for (const [image, environment] of [
      [debian, 'prod'],
      [debian, 'dev'],
      [busybox, 'prod'],
    ] as const) {
      const [repo, digest] = image.split('@') as [string, string];
      const door =
        (
          await fetch(
            `${customs.url}/v2/${environment}/${repo}/manifests/${digest}`,
            { method: 'HEAD' },
          )
        ).status === 200;
      expect(
        (await review([`${host}/${environment}/${image}`])).body.status.allowed,
        `${image} in ${environment}`,
      ).toBe(door);
    }
    expect((await review([])).status).toBe(200);
    const bad = await fetch(`${customs.url}/admission/imagereview`, {
      method: 'POST',
      body: '{"kind":"Pod"}',
    });
    expect(bad.status).toBe(400);
  });

  it('explains a verdict on the command line', async () => {
    const out = await runCustoms(
      [
        'explain',
        `test/debian@${digests['test/debian']}`,
        '--environment',
        'prod',
        '--url',
        customs.url,
        '--token',
        customs.apiToken,
      ],
      env,
    );
    expect(out.code).toBe(1);
    expect(out.stdout).toMatch(/environment prod: ineligible/);
    expect(out.stdout).toMatch(/\[SIGNATURE_MISSING\]/);
    const ok = await runCustoms(
      [
        'explain',
        `test/busybox-static@${digests['test/busybox-static']}`,
        '-e',
        'prod',
        '--url',
        customs.url,
        '--token',
        customs.apiToken,
      ],
      env,
    );
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/environment prod: eligible/);
  });

  it('refuses bad input clearly and stores nothing from it', async () => {
    const post = (body: string, auth = `Bearer ${SECRET}`) =>
      fetch(`${customs.url}/webhooks/distribution`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/vnd.docker.distribution.events.v1+json',
          Authorization: auth,
        },
        body,
      });
    const malformed = await post('{"events":[{"action":"push"}]}');
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({
      error: {
        code: 'ENVELOPE_INVALID',
        message: expect.stringMatching(/events\.0\.id/),
      },
    });
    const fixture = JSON.parse(
      readFileSync(
        shared(
          'fixtures/distribution-notifications/01-push-by-tag/03-push-manifest.json',
        ),
        'utf8',
      ),
    ) as { rawBody: string };
    const wrong = await post(fixture.rawBody, 'Bearer not-the-secret');
    expect(wrong.status).toBe(401);
    expect(
      (
        await api(
          `/api/v1/images/fixtures/busybox@sha256:36e75d6e573a236df7ff1a11a3acd2364a0c1b2554070c87de335d9de994fc1f`,
        )
      ).status,
    ).toBe(404);
    const unknown = await fetch(
      `${customs.url}/v2/dev/test/debian/manifests/sha256:${'0'.repeat(64)}`,
    );
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({
      errors: [{ code: 'MANIFEST_UNKNOWN' }],
    });
    const blob = await fetch(
      `${customs.url}/v2/dev/test/debian/blobs/sha256:${'1'.repeat(64)}`,
    );
    expect([
      blob.status,
      ((await blob.json()) as { errors: Array<{ code: string }> }).errors[0]
        ?.code,
    ]).toEqual([404, 'BLOB_UNKNOWN']);
  });

  it('serves nothing when the upstream is down', async () => {
    await registry.stop();
    const res = await fetch(
      `${customs.url}/v2/dev/test/busybox-static/manifests/${digests['test/busybox-static']}`,
    );
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({
      errors: [{ code: 'UNAVAILABLE' }],
    });
    const tag = await fetch(
      `${customs.url}/v2/dev/test/busybox-static/manifests/1.35.0`,
    );
    expect(tag.status).toBe(503);
  });
});
