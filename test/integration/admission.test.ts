/**
 * The admission door replays real AdmissionReview, ImageReview and
 * ProviderRequest JSON against a running server, and answers exactly what
 * the registry door answers for the same digest and environment.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../lib/config/schema.js';
import type { Digest } from '../../lib/core/digest.js';
import { createLogger } from '../../lib/log/create-logger.js';
import { judgeImage } from '../../lib/policy/judge.js';
import { grantBreakGlass } from '../../lib/policy/override-admin.js';
import { buildDeps, type Deps } from '../../services/customs/deps.js';
import {
  startServer,
  type RunningServer,
} from '../../services/customs/server.js';
import {
  pushTestImages,
  startRegistry,
  type RegistryHandle,
} from '../helpers/registry.js';
import { waitUntil } from '../helpers/customs-api.js';
import {
  storeImageWithHighFinding,
  storeScannedImage,
} from '../helpers/stored-images.js';

const RULES = `version: 1
environments:
  dev: {}
  test:
    mode: warn
    vulnerabilities: { maxSeverity: medium }
  prod:
    vulnerabilities: { maxSeverity: medium }
`;
const FIXTURES = new URL('../fixtures/admission/', import.meta.url);

describe('the admission door', () => {
  let work: string;
  let registry: RegistryHandle;
  let deps: Deps;
  let server: RunningServer;
  /** Pushed and judged: a high finding (dev ok, test warned, prod denied). */
  let risky: {
    ref: string;
    tagRef: string;
    repository: string;
    digest: Digest;
  };
  /** Pushed and judged clean: eligible everywhere. */
  let clean: typeof risky;

  const fixture = (name: string, images: Record<string, string>): unknown => {
    let text = readFileSync(new URL(name, FIXTURES), 'utf8');
    for (const [k, v] of Object.entries(images)) text = text.replaceAll(k, v);
    return JSON.parse(text);
  };
  const post = async (path: string, body: unknown) => {
    const res = await fetch(`${server.url}${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as any }; // eslint-disable-line @typescript-eslint/no-explicit-any -- replies of four schemas, checked field by field
  };
  const podOf = (main: string, sidecar = clean.ref, init = clean.ref) =>
    fixture('pod.admissionreview.json', {
      IMAGE_MAIN: main,
      IMAGE_SIDECAR: sidecar,
      IMAGE_INIT: init,
    });

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'customs-admission-'));
    registry = await startRegistry();
    const [busybox, v2s2] = await pushTestImages(registry, [
      'busybox',
      'busybox-v2s2',
    ]);
    const image = (p: { ref: string; digest: string }) => {
      const name = p.ref.slice(0, p.ref.lastIndexOf(':'));
      return {
        ref: `${name}@${p.digest}`,
        tagRef: p.ref,
        repository: name.slice(registry.host.length + 1),
        digest: p.digest as Digest,
      };
    };
    risky = image(busybox!);
    clean = image(v2s2!);
    writeFileSync(join(work, 'rules.yaml'), RULES);
    deps = await buildDeps(
      configSchema.parse({
        version: 1,
        dataDir: join(work, 'data'),
        upstream: { url: registry.url },
        rules: { file: join(work, 'rules.yaml') },
        admission: { namespaceEnvironments: { payments: 'prod' } },
        intake: { reconcile: { onStart: false } },
        log: { level: 'silent' },
      }),
      createLogger({ level: 'silent' }),
      { work: false },
    );
    await storeImageWithHighFinding(deps.stores, risky);
    await storeScannedImage(deps.stores, { ...clean, packages: [] });
    for (const i of [risky, clean])
      await judgeImage(deps.policy.judge, i, 'scan: test');
    server = await startServer(deps, { host: '127.0.0.1', port: 0 });
  }, 300_000);
  afterAll(async () => {
    await server?.close();
    await deps?.close();
    await registry?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('allows a Pod whose every image is eligible, and denies one with an ineligible image (multi-container)', async () => {
    const allowed = await post('/admission/validate/dev', podOf(risky.ref));
    expect(allowed.status).toBe(200);
    expect(allowed.body).toEqual({
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      response: { uid: '705ab4f5-6393-11e8-b7cc-42010a800002', allowed: true },
    });
    const denied = await post(
      '/admission/validate/prod',
      podOf(clean.ref, clean.ref, risky.ref),
    );
    expect(denied.body.response).toMatchObject({
      uid: '705ab4f5-6393-11e8-b7cc-42010a800002',
      allowed: false,
      status: { code: 403, reason: 'Forbidden' },
    });
    expect(denied.body.response.status.message).toContain(risky.ref);
    expect(denied.body.response.status.message).toContain('above medium');
    expect(denied.body.response.status.message).not.toContain(clean.digest);
  });

  it('answers warn mode with warnings, and takes the environment from the namespace map', async () => {
    const warned = await post('/admission/validate/test', podOf(risky.ref));
    expect(warned.body.response.allowed).toBe(true);
    expect(warned.body.response.warnings).toEqual([
      expect.stringContaining(risky.ref),
    ]);
    const byNamespace = await post('/admission/validate', podOf(risky.ref));
    expect(byNamespace.body.response.allowed).toBe(false);
  });

  it('judges every workload kind: Deployment, CronJob, ephemeral containers', async () => {
    const images = {
      IMAGE_MAIN: risky.ref,
      IMAGE_SIDECAR: clean.ref,
      IMAGE_INIT: clean.ref,
    };
    for (const name of [
      'deployment.admissionreview.json',
      'cronjob.admissionreview.json',
      'ephemeral.admissionreview.json',
    ]) {
      const review = fixture(name, images);
      expect(
        (await post('/admission/validate/prod', review)).body.response.allowed,
        name,
      ).toBe(false);
      expect(
        (await post('/admission/validate/dev', review)).body.response.allowed,
        name,
      ).toBe(true);
    }
  });

  it('resolves a tag-only image to its digest, and pins it with the mutating webhook', async () => {
    const byTag = await post('/admission/validate/prod', podOf(risky.tagRef));
    expect(byTag.body.response.allowed).toBe(false);
    expect(byTag.body.response.status.message).toContain(risky.digest);
    const mutated = await post(
      '/admission/mutate',
      podOf(risky.tagRef, clean.ref, clean.tagRef),
    );
    expect(mutated.body.response).toMatchObject({
      allowed: true,
      patchType: 'JSONPatch',
    });
    expect(
      JSON.parse(
        Buffer.from(mutated.body.response.patch as string, 'base64').toString(),
      ),
    ).toEqual([
      { op: 'replace', path: '/spec/containers/0/image', value: risky.ref },
      { op: 'replace', path: '/spec/initContainers/0/image', value: clean.ref },
    ]);
  });

  it('answers ImageReview and Gatekeeper ProviderRequest with the same verdicts', async () => {
    const images = { IMAGE_MAIN: risky.ref, IMAGE_SIDECAR: clean.ref };
    const review = await post(
      '/admission/imagereview?environment=prod',
      fixture('imagereview.json', images),
    );
    expect(review.body).toMatchObject({
      apiVersion: 'imagepolicy.k8s.io/v1alpha1',
      kind: 'ImageReview',
      status: {
        allowed: false,
        auditAnnotations: {
          'customs.image-policy.k8s.io/break-glass':
            'ignored: only a break-glass grant admits',
        },
      },
    });
    const provider = await post(
      '/admission/gatekeeper/prod',
      fixture('providerrequest.json', images),
    );
    expect(provider.body).toMatchObject({
      apiVersion: 'externaldata.gatekeeper.sh/v1beta1',
      kind: 'ProviderResponse',
      response: { idempotent: true },
    });
    const [main, side] = provider.body.response.items as Array<{
      key: string;
      value: { allowed: boolean };
      error?: string;
    }>;
    expect(main).toMatchObject({
      key: risky.ref,
      value: { allowed: false, status: 'ineligible' },
    });
    expect(main?.error).toContain('not eligible for prod');
    expect(side).toEqual({
      key: clean.ref,
      value: {
        allowed: true,
        status: 'eligible',
        environment: 'prod',
        digest: clean.digest,
      },
    });
    const batch = await post('/admission/batch', {
      environment: 'prod',
      images: [risky.ref, clean.ref],
    });
    expect(
      (batch.body.results as Array<{ allowed: boolean }>).map((r) => r.allowed),
    ).toEqual([false, true]);
  });

  it('gives the same answer as the registry door for the same digest and environment', async () => {
    for (const image of [risky, clean]) {
      for (const environment of ['dev', 'test', 'prod']) {
        const door = await fetch(
          `${server.url}/v2/${environment}/${image.repository}/manifests/${image.digest}`,
          { method: 'HEAD' },
        );
        const admitted = await post(
          `/admission/validate/${environment}`,
          podOf(image.ref, image.ref, image.ref),
        );
        const reviewed = await post(
          `/admission/imagereview?environment=${environment}`,
          fixture('imagereview.json', {
            IMAGE_MAIN: image.ref,
            IMAGE_SIDECAR: image.ref,
          }),
        );
        const what = `${image.repository} in ${environment}`;
        expect(door.status === 200, what).toBe(admitted.body.response.allowed);
        expect(reviewed.body.status.allowed, what).toBe(
          admitted.body.response.allowed,
        );
      }
    }
  });

  it('admits through a break-glass grant, audits the annotation, and refuses bad requests', async () => {
    await grantBreakGlass(
      deps.policy.overrides,
      {
        repository: risky.repository,
        digest: risky.digest,
        environment: 'prod',
        ticket: 'INC-9',
        reason: 'outage',
        expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
      },
      'oncall',
    );
    // The in-process cache drops the old verdict on the database's NOTIFY.
    await waitUntil(
      'the grant reaches the verdict cache',
      async () =>
        (await post('/admission/validate/prod', podOf(risky.ref))).body.response
          .allowed === true,
      () => 'still denied',
      10_000,
    );
    const review = await post(
      '/admission/imagereview?environment=prod',
      fixture('imagereview.json', {
        IMAGE_MAIN: risky.ref,
        IMAGE_SIDECAR: clean.ref,
      }),
    );
    expect(review.body.status.allowed).toBe(true);
    const pod = await post('/admission/validate/prod', podOf(risky.ref));
    expect(pod.body.response.allowed).toBe(true);
    const door = await fetch(
      `${server.url}/v2/prod/${risky.repository}/manifests/${risky.digest}`,
      { method: 'HEAD' },
    );
    expect(door.status).toBe(200);
    const audited = await deps.stores.audit.query({
      limit: 1,
      action: 'admission.break-glass-annotation',
    });
    expect(audited.entries[0]).toMatchObject({
      actor: 'kube-apiserver',
      target: 'namespace/payments',
      after: {
        honoured: false,
        images: [
          { image: risky.ref, digest: risky.digest, allowed: true },
          { image: clean.ref, digest: clean.digest, allowed: true },
        ],
      },
    });

    expect(
      (await post('/admission/validate/staging', podOf(clean.ref))).status,
    ).toBe(400);
    expect(
      (await post('/admission/validate/prod', { kind: 'Pod' })).body,
    ).toMatchObject({ error: { code: 'REVIEW_INVALID' } });
    expect((await post('/admission/nothing', {})).status).toBe(404);
  });
});
