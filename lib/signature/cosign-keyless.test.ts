import { sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Digest } from '../core/digest.js';
import {
  keylessLayer as layerOf,
  simpleSigningPayload,
  verifyAll as verifyIn,
} from '../../test/helpers/cosign-signatures.js';
import { MemorySource } from '../../test/helpers/memory-source.js';
import { cosignManifest } from '../../test/helpers/oci-push.js';
import { daysFromNow, type TestCert } from '../../test/helpers/test-pki.js';
import {
  cosignRekorBundle,
  createTestSigstore,
  dsseBody,
  logEntry,
  statement,
  type TestSigstore,
} from '../../test/helpers/test-sigstore.js';
import { discoverSignatures } from './discover.js';
import { trustFromRules } from './testing.js';
import type { TrustContext } from './trust.js';
import { verifyArtifact } from './verify-artifact.js';

const SHARED = new URL('../../../shared/fixtures/', import.meta.url);
const read = (p: string) => readFileSync(new URL(p, SHARED));
const DSSE = 'application/vnd.dsse.envelope.v1+json';
const IMAGE = `sha256:${'5'.repeat(64)}` as Digest;
const REPO = 'team/app';
const payloadFor = (digest: string) =>
  simpleSigningPayload(digest, `registry.test:5000/${REPO}`);
const verifyAll = (source: MemorySource, trust: TrustContext) =>
  verifyIn(source, trust, { repository: REPO, digest: IMAGE });

describe('cosign keyless signatures (legacy .sig tag: certificate + Rekor bundle)', () => {
  it('verifies the real keyless fixture against the public-good trusted root', async () => {
    const dir = 'sigstore-bundles/cosign-oci/keyless-sig-tag/';
    const sig = JSON.parse(
      read(`${dir}sig-manifest.json`).toString(),
    ) as object;
    const cases = JSON.parse(
      read('sigstore-bundles/INDEX.json').toString(),
    ) as Array<{
      case: string;
      imageDigest?: Digest;
      identity?: string;
      issuer?: string;
    }>;
    const ok = cases.find((c) => c.case === 'cosign-oci/keyless-sig-tag')!;
    const source = new MemorySource();
    source.add(
      {
        manifest: Buffer.from(JSON.stringify(sig)),
        blobs: [read(`${dir}payload.json`)],
      },
      `${ok.imageDigest!.replace(':', '-')}.sig`,
    );
    const trustFor = (identity: string) =>
      trustFromRules(
        `version: 1\ntrustedRoots: {pg: {file: /root.json}}\nidentities: {release: {trustedRoot: pg, subject: ${JSON.stringify(identity)}, issuer: ${JSON.stringify(ok.issuer)}}}\nenvironments: {dev: {}}`,
        {
          '/root.json': read('sigstore-bundles/trusted_root.public-good.json'),
        },
        'off',
      );
    const options = { matchReference: 'off' as const, maxPayloadBytes: 65536 };
    const found = await discoverSignatures(
      source,
      { repository: 'x', digest: ok.imageDigest! },
      { maxSignatures: 4, artifactTypes: [] },
    );
    const verify = (trust: TrustContext) =>
      verifyArtifact(
        { source, trust, options },
        { repository: 'x', digest: ok.imageDigest! },
        found.artifacts[0]!,
      );
    expect(await verify(trustFor(ok.identity!))).toEqual([
      expect.objectContaining({ status: 'verified', signers: ['release'] }),
    ]);
    expect(
      await verify(trustFor(ok.identity!.replace('v0.0.30', 'v0.0.29'))),
    ).toEqual([
      expect.objectContaining({
        status: 'unknown_key',
        reasonCode: 'IDENTITY_MISMATCH',
      }),
    ]);
  });

  describe('built with a test CA and test transparency log', () => {
    let sigstore: TestSigstore;
    let signer: TestCert;
    let trust: TrustContext;
    const identity =
      'https://ci.test/org/app/.github/workflows/release.yml@refs/heads/main';
    const issuer = 'https://token.ci.test';

    beforeAll(async () => {
      sigstore = await createTestSigstore();
      signer = await sigstore.issue({
        san: { type: 'url', value: identity },
        oidcIssuer: issuer,
      });
      trust = trustFromRules(
        `version: 1\ntrustedRoots: {test: {file: /root.json, ctlogThreshold: 0}}\nidentities: {release: {trustedRoot: test, subject: ${JSON.stringify(identity)}, issuer: ${JSON.stringify(issuer)}}}\nenvironments: {dev: {}}`,
        { '/root.json': sigstore.trustedRoot },
      );
    });

    const keylessLayer = (
      payload: Buffer,
      cert: TestCert,
      options: { tamper?: boolean; noBundle?: boolean } = {},
    ) => layerOf(sigstore, cert, payload, options);

    it('verifies, and names each failure: tampered, missing tlog, wrong issuer, untrusted root', async () => {
      const other = await createTestSigstore();
      const foreign = await other.issue({
        san: { type: 'url', value: identity },
        oidcIssuer: issuer,
      });
      const wrongIssuer = await sigstore.issue({
        san: { type: 'url', value: identity },
        oidcIssuer: 'https://evil.test',
      });
      const source = new MemorySource();
      const payload = payloadFor(IMAGE);
      source.add(
        cosignManifest([
          keylessLayer(payload, signer),
          keylessLayer(payload, signer, { tamper: true }),
          keylessLayer(payload, signer, { noBundle: true }),
          keylessLayer(payload, wrongIssuer),
          keylessLayer(payload, foreign),
        ]),
        `${IMAGE.replace(':', '-')}.sig`,
      );
      expect(
        (await verifyAll(source, trust)).map((r) => [
          r.status,
          r.reasonCode ?? r.signers?.join(),
        ]),
      ).toEqual([
        ['verified', 'release'],
        ['invalid', 'SIGNATURE_MISMATCH'],
        ['invalid', 'TLOG_MISSING'],
        ['unknown_key', 'ISSUER_MISMATCH'],
        ['invalid', 'UNTRUSTED_ROOT'],
      ]);
    });

    it('refuses a certificate used outside its validity (the log time is the signed time)', async () => {
      const expired = await sigstore.issue({
        san: { type: 'url', value: identity },
        oidcIssuer: issuer,
        notBefore: daysFromNow(-3),
        notAfter: daysFromNow(-2),
      });
      const source = new MemorySource();
      source.add(
        cosignManifest([keylessLayer(payloadFor(IMAGE), expired)]),
        `${IMAGE.replace(':', '-')}.sig`,
      );
      expect(await verifyAll(source, trust)).toEqual([
        expect.objectContaining({
          status: 'invalid',
          reasonCode: 'CERTIFICATE_EXPIRED',
        }),
      ]);
    });

    it('exposes a keyless SLSA provenance attestation (.att tag, DSSE) to the rules', async () => {
      const body = Buffer.from(
        JSON.stringify(
          statement(IMAGE, 'https://slsa.dev/provenance/v1', {
            runDetails: { builder: { id: 'https://ci.test/builder@v1' } },
          }),
        ),
      );
      const type = 'application/vnd.in-toto+json';
      const pae = Buffer.concat([
        Buffer.from(`DSSEv1 ${type.length} ${type} ${body.length} `),
        body,
      ]);
      const signature = sign('sha256', pae, signer.privateKey);
      const envelope = Buffer.from(
        JSON.stringify({
          payloadType: type,
          payload: body.toString('base64'),
          signatures: [{ keyid: '', sig: signature.toString('base64') }],
        }),
      );
      const entry = logEntry(
        sigstore,
        dsseBody(body, signature, signer.pem, envelope),
      );
      const source = new MemorySource();
      source.add(
        cosignManifest([
          {
            mediaType: DSSE,
            data: envelope,
            annotations: {
              'dev.cosignproject.cosign/signature': '',
              'dev.sigstore.cosign/certificate': signer.pem,
              'dev.sigstore.cosign/bundle': cosignRekorBundle(entry, sigstore),
            },
          },
        ]),
        `${IMAGE.replace(':', '-')}.att`,
      );
      expect(await verifyAll(source, trust)).toEqual([
        expect.objectContaining({
          status: 'verified',
          format: 'dsse',
          kind: 'attestation',
          predicateType: 'https://slsa.dev/provenance/v1',
          payload: expect.objectContaining({
            builderId: 'https://ci.test/builder@v1',
          }),
          signers: ['release'],
        }),
      ]);
    });
  });
});
