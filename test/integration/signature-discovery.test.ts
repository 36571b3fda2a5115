/**
 * Signature discovery and verification against a REAL docker-registry
 * (CNCF Distribution 2.8): cosign's legacy tags and the referrers tag
 * fallback are read from it directly; the OCI 1.1 referrers API, which
 * Distribution 2.8 lacks (and no registry packaged for Debian has), is added
 * by a node:http front that passes everything else to the real registry.
 * Results are stored in PGlite; the verification cache is checked by the
 * requests the registry sees.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Digest } from '../../lib/core/digest.js';
import {
  createUpstreamClient,
  type UpstreamClient,
} from '../../lib/registry/client/upstream-client.js';
import { trustFromRules } from '../../lib/signature/testing.js';
import {
  verifyImageSignatures,
  type VerifyImageDeps,
} from '../../lib/signature/verify-image.js';
import type { Database } from '../../lib/storage/database.js';
import { migrate } from '../../lib/storage/postgres/migrate.js';
import { openPgliteDatabase } from '../../lib/storage/postgres/pglite-database.js';
import { createStores } from '../../lib/storage/postgres/stores.js';
import type { Stores } from '../../lib/storage/ports.js';
import { generateCosignKeyPair, signImage } from '../helpers/cosign.js';
import {
  copyImage,
  pushReferrer,
  referrerManifest,
} from '../helpers/oci-push.js';
import {
  pushTestImages,
  startRegistry,
  type RegistryHandle,
} from '../helpers/registry.js';
import {
  startReferrersProxy,
  type ReferrersProxy,
} from '../helpers/referrers-proxy.js';
import { notationJws, notationManifest } from '../helpers/test-notation.js';
import { createTestCa, issueCert, type TestCert } from '../helpers/test-pki.js';
import {
  createTestSigstore,
  sigstoreDsseBundle,
  statement,
  type TestSigstore,
} from '../helpers/test-sigstore.js';

const BUNDLE_TYPE = 'application/vnd.dev.sigstore.bundle.v0.3+json';
const NOTATION_TYPE = 'application/vnd.cncf.notary.signature';
const IDENTITY =
  'https://ci.test/org/app/.github/workflows/release.yml@refs/heads/main';
const ISSUER = 'https://token.ci.test';

describe('signature discovery on a real registry', () => {
  let work: string;
  let registry: RegistryHandle;
  let proxy: ReferrersProxy;
  let upstream: UpstreamClient;
  let db: Database;
  let stores: Stores;
  let sigstore: TestSigstore;
  let ciSigner: TestCert;
  let notaryRoot: TestCert;
  let notaryLeaf: TestCert;
  let keyPrefix: string;
  let subject: { mediaType: string; digest: string; size: number };
  let deps: VerifyImageDeps;

  const image = async (repository: string) => {
    const digest = (await copyImage(
      registry.url,
      'test/busybox-static',
      repository,
      '1.35.0',
    )) as Digest;
    return { repository, digest };
  };

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'customs-sigs-'));
    registry = await startRegistry();
    const [pushed] = await pushTestImages(registry, ['busybox']);
    const res = await fetch(
      `${registry.url}/v2/test/busybox-static/manifests/${pushed!.digest}`,
      { headers: { Accept: 'application/vnd.oci.image.manifest.v1+json' } },
    );
    subject = {
      mediaType: res.headers.get('content-type')!,
      digest: pushed!.digest,
      size: (await res.arrayBuffer()).byteLength,
    };
    proxy = await startReferrersProxy(registry.url);
    upstream = createUpstreamClient({
      url: proxy.url,
      logger: pino({ level: 'silent' }),
      retries: 0,
    });
    ({ database: db } = await openPgliteDatabase(join(work, 'db')));
    await migrate(db);
    stores = createStores(db);
    sigstore = await createTestSigstore();
    ciSigner = await sigstore.issue({
      san: { type: 'url', value: IDENTITY },
      oidcIssuer: ISSUER,
    });
    notaryRoot = await createTestCa('CN=Notary Test Root,O=Customs Tests');
    notaryLeaf = await issueCert(notaryRoot, {
      subject: 'CN=release,O=Customs Tests',
    });
    keyPrefix = join(work, 'release');
    const { publicKeyFile } = await generateCosignKeyPair(keyPrefix);
    const trust = trustFromRules(
      [
        'version: 1',
        'keys: {release-key: {publicKeyFile: /release.pub}}',
        'trustedRoots: {test: {file: /root.json, ctlogThreshold: 0}}',
        `identities: {release-ci: {trustedRoot: test, subject: ${JSON.stringify(IDENTITY)}, issuer: ${JSON.stringify(ISSUER)}}}`,
        'notation: {release-notary: {trustStore: [/notary.pem], trustedIdentities: ["x509.subject: CN=release,O=Customs Tests"]}}',
        'environments: {prod: {}}',
      ].join('\n'),
      {
        '/release.pub': readFileSync(publicKeyFile),
        '/root.json': sigstore.trustedRoot,
        '/notary.pem': notaryRoot.pem,
      },
    );
    deps = {
      source: upstream,
      manifests: stores.manifests,
      signatures: stores.signatures,
      trust: () => trust,
      options: {
        matchReference: 'repository',
        maxSignatures: 4,
        maxPayloadBytes: 16 * 1024,
        timeoutMs: 30_000,
        artifactTypes: [BUNDLE_TYPE, NOTATION_TYPE],
      },
      logger: pino({ level: 'silent' }),
    };
  }, 300_000);

  afterAll(async () => {
    await upstream?.close();
    await proxy?.close();
    await db?.close();
    await registry?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  const verify = (s: { repository: string; digest: Digest }) =>
    verifyImageSignatures(deps, s, AbortSignal.timeout(60_000));
  const summary = (rows: Awaited<ReturnType<typeof verify>>) =>
    rows.map((r) => [
      r.format,
      r.discoveredVia,
      r.status,
      r.reasonCode ?? r.signers?.join(','),
    ]);

  it('finds a cosign key signature under the legacy .sig tag (sign-image.sh)', async () => {
    const s = await image('sig/cosign-key');
    expect(await verify(s)).toEqual([]);
    await signImage(`${registry.host}/${s.repository}:latest`, keyPrefix);
    expect(summary(await verify(s))).toEqual([
      ['cosign', 'cosign-tag', 'verified', 'release-key'],
    ]);
    expect(
      await stores.manifests.tagsOf(
        s.repository,
        (await stores.signatures.list(s.digest))[0]!.signatureDigest,
      ),
    ).toEqual([`${s.digest.replace(':', '-')}.sig`]);
  });

  it('finds a Sigstore bundle through the referrers tag fallback (no referrers API)', async () => {
    const s = await image('sig/bundle-tag');
    const bundle = sigstoreDsseBundle(
      sigstore,
      ciSigner,
      statement(s.digest, 'https://sigstore.dev/cosign/sign/v1'),
      { version: '0.3' },
    );
    await pushReferrer(
      registry.url,
      s.repository,
      referrerManifest({ ...subject, digest: s.digest }, BUNDLE_TYPE, {
        mediaType: BUNDLE_TYPE,
        data: bundle,
      }),
    );
    expect(summary(await verify(s))).toEqual([
      ['sigstore-bundle', 'referrers-tag', 'verified', 'release-ci'],
    ]);
    expect(proxy.requests).toContain(
      `GET /v2/${s.repository}/referrers/${s.digest}?artifactType=${encodeURIComponent(BUNDLE_TYPE)}`,
    );
  });

  it('finds Notation signatures through the OCI 1.1 referrers API, filtered by artifact type', async () => {
    const s = await image('sig/notation-api');
    const chain = [notaryLeaf, notaryRoot];
    const target = { ...subject, digest: s.digest };
    const sig = notationManifest(
      target,
      notationJws(target, { chain }),
      'application/jose+json',
      chain,
    );
    const digest = await pushReferrer(registry.url, s.repository, sig, {
      tagFallback: false,
    });
    proxy.addReferrer(s.repository, s.digest, {
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest,
      size: sig.manifest.length,
      artifactType: NOTATION_TYPE,
    });
    proxy.addReferrer(s.repository, s.digest, {
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest: `sha256:${'e'.repeat(64)}`,
      size: 10,
      artifactType: 'application/spdx+json',
    });
    expect(summary(await verify(s))).toEqual([
      ['notation-jws', 'referrers-api', 'verified', 'release-notary'],
    ]);
    // The SBOM referrer was filtered out by type, never fetched.
    expect(proxy.requests.some((r) => r.includes('e'.repeat(64)))).toBe(false);
  });

  it('finds a Sigstore bundle (SLSA provenance) through the referrers API', async () => {
    const s = await image('sig/bundle-api');
    const bundle = sigstoreDsseBundle(
      sigstore,
      ciSigner,
      statement(s.digest, 'https://slsa.dev/provenance/v1', {
        runDetails: { builder: { id: 'https://ci.test/builder' } },
      }),
      { version: '0.2' },
    );
    const referrer = referrerManifest(
      { ...subject, digest: s.digest },
      BUNDLE_TYPE,
      {
        mediaType: 'application/vnd.dev.sigstore.bundle+json;version=0.2',
        data: bundle,
      },
    );
    const digest = await pushReferrer(registry.url, s.repository, referrer, {
      tagFallback: false,
    });
    proxy.addReferrer(s.repository, s.digest, {
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest,
      size: referrer.manifest.length,
      artifactType: BUNDLE_TYPE,
    });
    const [row] = await verify(s);
    expect(row).toMatchObject({
      format: 'sigstore-bundle',
      discoveredVia: 'referrers-api',
      status: 'verified',
      kind: 'attestation',
      predicateType: 'https://slsa.dev/provenance/v1',
      signers: ['release-ci'],
      payload: expect.objectContaining({
        builderId: 'https://ci.test/builder',
      }),
    });
  });

  it('does not reuse a cached result once the signature has expired', async () => {
    const s = await image('sig/notation-expiring');
    const chain = [notaryLeaf, notaryRoot];
    const target = { ...subject, digest: s.digest };
    const expiry = new Date(Date.now() + 1500);
    await pushReferrer(
      registry.url,
      s.repository,
      notationManifest(
        target,
        notationJws(target, { chain, expiry }),
        'application/jose+json',
        chain,
      ),
    );
    expect(summary(await verify(s))).toEqual([
      ['notation-jws', 'referrers-tag', 'verified', 'release-notary'],
    ]);
    await new Promise((r) => setTimeout(r, expiry.getTime() - Date.now() + 50));
    expect(summary(await verify(s))).toEqual([
      ['notation-jws', 'referrers-tag', 'invalid', 'SIGNATURE_EXPIRED'],
    ]);
  });

  it('verifies an artifact once per trust version: a second pass reads no signature blob', async () => {
    const s = {
      repository: 'sig/bundle-tag',
      digest: subject.digest as Digest,
    };
    const before = proxy.requests.length;
    expect(summary(await verify(s))).toEqual([
      ['sigstore-bundle', 'referrers-tag', 'verified', 'release-ci'],
    ]);
    expect(
      proxy.requests.slice(before).filter((r) => r.includes('/blobs/')),
    ).toEqual([]);
  });

  it('records oversized and surplus signatures as invalid, with their own reasons', async () => {
    const s = await image('sig/limits');
    const big = Buffer.alloc(17 * 1024, 'x');
    await pushReferrer(
      registry.url,
      s.repository,
      referrerManifest({ ...subject, digest: s.digest }, BUNDLE_TYPE, {
        mediaType: BUNDLE_TYPE,
        data: big,
      }),
    );
    for (let i = 0; i < 4; i++) {
      const bundle = sigstoreDsseBundle(
        sigstore,
        ciSigner,
        statement(s.digest, 'https://example.test/predicate', { i }),
        { version: '0.3' },
      );
      await pushReferrer(
        registry.url,
        s.repository,
        referrerManifest({ ...subject, digest: s.digest }, BUNDLE_TYPE, {
          mediaType: BUNDLE_TYPE,
          data: bundle,
        }),
      );
    }
    const rows = await verify(s);
    expect(rows.map((r) => r.reasonCode ?? r.status)).toEqual([
      'TOO_LARGE',
      'verified',
      'verified',
      'verified',
      'TOO_MANY',
    ]);
    expect(rows.at(-1)!.reason).toMatch(
      /1 signature artifact\(s\) beyond the limit of 4/,
    );
    expect(rows.slice(1, 4).every((r) => r.kind === 'attestation')).toBe(true);
  });

  it('records a signature by an untrusted key without trusting it', async () => {
    const s = await image('sig/untrusted');
    await generateCosignKeyPair(join(work, 'stranger'));
    await signImage(
      `${registry.host}/${s.repository}:latest`,
      join(work, 'stranger'),
    );
    expect(summary(await verify(s))).toEqual([
      ['cosign', 'cosign-tag', 'unknown_key', 'KEY_UNKNOWN'],
    ]);
  });
});
