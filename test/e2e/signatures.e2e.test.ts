/**
 * The acceptance of issue #6 on real parts: a real docker-registry notifies
 * the real `customs serve`; an image pushed unsigned is not prod-eligible;
 * a signature pushed by each method (cosign key and keyless `.sig` tags,
 * a Sigstore bundle and Notation JWS/COSE as OCI 1.1 referrers with the tag
 * fallback) makes it prod-eligible within a second of the signature's own
 * webhook (Customs' log times); a signature by an untrusted signer first changes
 * nothing. Pulls and admission reviews then verify nothing again.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signImage } from '../helpers/cosign.js';
import {
  imageReport,
  waitUntil,
  loggedWebhookToEligibleMs,
} from '../helpers/customs-api.js';
import { createSigningTrust } from '../helpers/signing-trust.js';
import {
  keylessLayer,
  simpleSigningPayload,
  type CosignLayer,
} from '../helpers/cosign-signatures.js';
import { type CustomsProcess } from '../helpers/customs-process.js';
import {
  copyImage,
  getManifest,
  manifestDescriptor,
  cosignManifest,
  pushBlob,
  pushManifest,
  pushReferrer,
  referrerManifest,
} from '../helpers/oci-push.js';
import { pushTestImages, type RegistryHandle } from '../helpers/registry.js';
import { startNotifiedStack } from '../helpers/notified-stack.js';
import {
  notationCose,
  notationJws,
  notationManifest,
} from '../helpers/test-notation.js';
import { issueCert, type TestCert } from '../helpers/test-pki.js';
import {
  sigstoreDsseBundle,
  statement,
  type TestSigstore,
} from '../helpers/test-sigstore.js';

const SECRET = 'signatures-e2e-secret';
const IDENTITY =
  'https://ci.test/org/app/.github/workflows/release.yml@refs/heads/main';
const ISSUER = 'https://token.ci.test';
const BUNDLE_TYPE = 'application/vnd.dev.sigstore.bundle.v0.3+json';
/** The acceptance bound: signature webhook to prod-eligible. */
const WITHIN_MS = 1000;

describe(
  'signatures end to end: each method makes an image prod-eligible',
  { timeout: 120_000 },
  () => {
    let work: string;
    let registry: RegistryHandle;
    let customs: CustomsProcess;
    let sigstore: TestSigstore;
    let foreignSigstore: TestSigstore;
    let notaryRoot: TestCert;
    let strangerRoot: TestCert;
    let rulesFile: string;
    let busybox: { mediaType: string; digest: string; size: number };
    const timings: Record<string, number> = {};
    const outside: Record<string, number> = {};

    const report = (repo: string) => imageReport(customs, repo, busybox.digest);
    const waitFor = (
      what: string,
      probe: () => Promise<boolean>,
      ms?: number,
    ) => waitUntil(what, probe, () => customs.output().slice(-3000), ms);
    const prodStatus = async (repo: string) =>
      (await report(repo)).verdicts.prod?.status;

    /** Pushes an unsigned copy of busybox and waits for its prod verdict. */
    const unsignedImage = async (repo: string) => {
      await copyImage(registry.url, 'test/busybox-static', repo, '1.35.0');
      await waitFor(
        `${repo} judged`,
        async () => (await prodStatus(repo)) === 'ineligible',
      );
      expect(
        (await report(repo)).verdicts.prod?.reasons.map((r) => r.code),
      ).toEqual(['SIGNATURE_MISSING']);
    };

    /** An untrusted signature is processed (its result stored) and changes nothing. */
    const untrustedChangesNothing = async (
      repo: string,
      push: () => Promise<unknown>,
      expected: string,
    ) => {
      await push();
      await waitFor(`${repo}: untrusted signature recorded`, async () =>
        (await report(repo)).signatures.some((s) => s.reasonCode === expected),
      );
      const r = await report(repo);
      expect(r.verdicts.prod?.status).toBe('ineligible');
      expect(r.verdicts.prod?.reasons.map((x) => x.code)).toEqual([
        'SIGNATURE_INVALID',
      ]);
    };

    /** A trusted signature makes it prod-eligible; returns the time it took. */
    /**
     * A trusted signature makes it prod-eligible. Records the time from
     * Customs accepting the signature's first webhook to the prod verdict
     * turning eligible (both from its log), and push-to-eligible as seen
     * from outside.
     */
    const trustedMakesEligible = async (
      method: string,
      repo: string,
      push: () => Promise<unknown>,
    ) => {
      const startedAt = Date.now();
      await push();
      const pushedAt = Date.now();
      await waitFor(
        `${repo} prod-eligible`,
        async () => (await prodStatus(repo)) === 'eligible',
        30_000,
      );
      outside[method] = Date.now() - pushedAt;
      timings[method] = await loggedWebhookToEligibleMs(
        () => customs.output(),
        repo,
        startedAt,
      );
    };

    beforeAll(async () => {
      work = mkdtempSync(join(tmpdir(), 'customs-sig-e2e-'));
      ({ sigstore, foreignSigstore, notaryRoot, strangerRoot, rulesFile } =
        await createSigningTrust(work, { subject: IDENTITY, issuer: ISSUER }));
      ({ registry, customs } = await startNotifiedStack(work, SECRET, {
        CUSTOMS_RULES__FILE: rulesFile,
      }));
      const [pushed] = await pushTestImages(registry, ['busybox']);
      busybox = await manifestDescriptor(
        registry.url,
        'test/busybox-static',
        pushed!.digest,
      );
    }, 300_000);

    afterAll(async () => {
      const metric = 'signature-to-prod-eligible-ms';
      console.log(JSON.stringify({ metric, webhook: timings, push: outside }));
      await customs?.stop();
      await registry?.stop();
      if (work) rmSync(work, { recursive: true, force: true });
    });

    it('cosign key-based signature (legacy .sig tag, sign-image.sh)', async () => {
      const repo = 'e2e/cosign-key';
      await unsignedImage(repo);
      await untrustedChangesNothing(
        repo,
        () =>
          signImage(`${registry.host}/${repo}:latest`, join(work, 'stranger')),
        'KEY_UNKNOWN',
      );
      await trustedMakesEligible('cosign-key', repo, () =>
        signImage(`${registry.host}/${repo}:latest`, join(work, 'release')),
      );
      expect(
        (await report(repo)).signatures.map((s) => [
          s.format,
          s.discoveredVia,
          s.status,
        ]),
      ).toEqual([
        ['cosign', 'cosign-tag', 'unknown_key'],
        ['cosign', 'cosign-tag', 'verified'],
      ]);
    });

    it('cosign keyless signature (legacy .sig tag with certificate and Rekor bundle)', async () => {
      const repo = 'e2e/keyless';
      await unsignedImage(repo);
      const tag = `${busybox.digest.replace(':', '-')}.sig`;
      const layer = async (s: TestSigstore) =>
        keylessLayer(
          s,
          await s.issue({
            san: { type: 'url', value: IDENTITY },
            oidcIssuer: ISSUER,
          }),
          simpleSigningPayload(busybox.digest, `${registry.host}/${repo}`),
        );
      const foreign = await layer(foreignSigstore);
      const pushSig = async (layers: CosignLayer[]) => {
        const sig = cosignManifest(layers);
        for (const b of sig.blobs) await pushBlob(registry.url, repo, b);
        await pushManifest(registry.url, repo, tag, sig.manifest);
      };
      await untrustedChangesNothing(
        repo,
        () => pushSig([foreign]),
        'UNTRUSTED_ROOT',
      );
      const trusted = await layer(sigstore);
      await trustedMakesEligible('cosign-keyless', repo, () =>
        pushSig([foreign, trusted]),
      );
    });

    it('Sigstore bundle v0.3 as an OCI 1.1 referrer (referrers tag fallback)', async () => {
      const repo = 'e2e/bundle';
      await unsignedImage(repo);
      const push = async (signer: TestCert) => {
        const bundle = sigstoreDsseBundle(
          sigstore,
          signer,
          statement(busybox.digest, 'https://sigstore.dev/cosign/sign/v1'),
          { version: '0.3' },
        );
        await pushReferrer(
          registry.url,
          repo,
          referrerManifest(busybox, BUNDLE_TYPE, {
            mediaType: BUNDLE_TYPE,
            data: bundle,
          }),
        );
      };
      const intruder = await sigstore.issue({
        san: { type: 'email', value: 'mallory@evil.test' },
        oidcIssuer: ISSUER,
      });
      await untrustedChangesNothing(
        repo,
        () => push(intruder),
        'IDENTITY_MISMATCH',
      );
      const ci = await sigstore.issue({
        san: { type: 'url', value: IDENTITY },
        oidcIssuer: ISSUER,
      });
      await trustedMakesEligible('sigstore-bundle', repo, () => push(ci));
    });

    it.each([
      ['notation-jws', 'application/jose+json' as const, notationJws],
      ['notation-cose', 'application/cose' as const, notationCose],
    ])(
      'Notation %s envelope as an OCI 1.1 referrer (referrers tag fallback)',
      async (method, mediaType, build) => {
        const repo = `e2e/${method}`;
        await unsignedImage(repo);
        const push = async (root: TestCert) => {
          const leaf = await issueCert(root, {
            subject: 'CN=release,O=Customs Tests',
          });
          const chain = [leaf, root];
          await pushReferrer(
            registry.url,
            repo,
            notationManifest(
              busybox,
              build(busybox, { chain }),
              mediaType,
              chain,
            ),
          );
        };
        await untrustedChangesNothing(
          repo,
          () => push(strangerRoot),
          'UNTRUSTED_ROOT',
        );
        await trustedMakesEligible(method, repo, () => push(notaryRoot));
      },
    );

    it('a signature on an image index covers its platform manifests', async () => {
      const [index] = await pushTestImages(registry, ['multiarch']);
      const verdictOf = async (digest: string) =>
        (await imageReport(customs, 'test/multiarch', digest)).verdicts.prod
          ?.status;
      await waitFor(
        'multiarch judged',
        async () => (await verdictOf(index!.digest)) === 'ineligible',
      );
      const doc = JSON.parse(
        (await getManifest(
          registry.url,
          'test/multiarch',
          index!.digest,
        ))!.body.toString(),
      ) as { manifests: Array<{ digest: string }> };
      const children = doc.manifests.map((m) => m.digest);
      expect(await Promise.all(children.map(verdictOf))).toEqual(
        children.map(() => 'ineligible'),
      );
      await signImage(
        `${registry.host}/test/multiarch:1.0`,
        join(work, 'release'),
      );
      await waitFor(
        'index prod-eligible',
        async () => (await verdictOf(index!.digest)) === 'eligible',
      );
      expect(await Promise.all(children.map(verdictOf))).toEqual(
        children.map(() => 'eligible'),
      );
    });

    it('made each image eligible within a second of its signature webhook', () => {
      expect(Object.keys(timings).sort()).toEqual([
        'cosign-key',
        'cosign-keyless',
        'notation-cose',
        'notation-jws',
        'sigstore-bundle',
      ]);
      for (const [method, ms] of Object.entries(timings))
        expect(ms, method).toBeLessThanOrEqual(WITHIN_MS);
    });

    it('pulls and admission reviews read the verdict and verify nothing again', async () => {
      const verifications = () =>
        customs
          .output()
          .split('\n')
          .filter((l) => l.includes('"signatures verified"')).length;
      // Let the last signature's second webhook (its tag index) finish first.
      let before = -1;
      while (before !== verifications()) {
        before = verifications();
        await new Promise((r) => setTimeout(r, 1500));
      }
      const host = `127.0.0.1:${customs.port}`;
      for (const repo of [
        'e2e/cosign-key',
        'e2e/keyless',
        'e2e/bundle',
        'e2e/notation-jws',
        'e2e/notation-cose',
      ]) {
        expect(
          (
            await fetch(
              `${customs.url}/v2/prod/${repo}/manifests/${busybox.digest}`,
            )
          ).status,
        ).toBe(200);
        const review = await fetch(`${customs.url}/admission/imagereview`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({
            apiVersion: 'imagepolicy.k8s.io/v1alpha1',
            kind: 'ImageReview',
            spec: {
              containers: [{ image: `${host}/prod/${repo}@${busybox.digest}` }],
            },
          }),
        });
        expect(
          ((await review.json()) as { status: { allowed: boolean } }).status
            .allowed,
        ).toBe(true);
      }
      expect(verifications()).toBe(before);
    });
  },
);
