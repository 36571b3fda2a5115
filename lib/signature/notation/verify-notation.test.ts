import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Digest } from '../../core/digest.js';
import { splitCertificates } from '../../policy/trust-files.js';
import { MemorySource } from '../../../test/helpers/memory-source.js';
import {
  createTestCa,
  daysFromNow,
  issueCert,
  type TestCert,
} from '../../../test/helpers/test-pki.js';
import {
  digestOf,
  notationCose,
  notationJws,
  notationManifest,
} from '../../../test/helpers/test-notation.js';
import { discoverSignatures } from '../discover.js';
import type { NotationTrust } from '../trust.js';
import { verifyArtifact } from '../verify-artifact.js';
import { trustFromRules } from '../testing.js';
import { parseCose, parseJws } from './envelope.js';
import { verifyTimestampToken } from './timestamp.js';
import { verifyEnvelope } from './verify-notation.js';

const FIXTURES = new URL(
  '../../../../shared/fixtures/notation/',
  import.meta.url,
);
const read = (p: string) => readFileSync(new URL(p, FIXTURES));

interface Case {
  case: string;
  expect: 'valid' | 'invalid';
  subject?: { digest: Digest } | null;
  artifactReference?: string;
  signatureEnvelope?: string | null;
  envelopeMediaType?: string | null;
  trustPolicy?: string | null;
  trustStore: Record<string, string[]>;
  identity?: string | null;
  step?: string;
}
const cases = JSON.parse(read('INDEX.json').toString()) as Case[];

function policyOf(c: Case): NotationTrust {
  const doc = JSON.parse(read(c.trustPolicy!).toString()) as {
    trustPolicies: Array<{
      registryScopes: string[];
      signatureVerification: {
        level: 'strict' | 'permissive';
        verifyTimestamp?: 'always' | 'afterCertExpiry';
      };
      trustedIdentities: string[];
    }>;
  };
  const p = doc.trustPolicies[0]!;
  const certs = (type: string) =>
    Object.entries(c.trustStore)
      .filter(
        ([k]) =>
          k.startsWith(`${type}:`) &&
          !(c.case.endsWith('no-tsa-store') && type === 'tsa'),
      )
      .flatMap(([, files]) => files.flatMap((f) => splitCertificates(read(f))))
      .map((der) => new X509Certificate(der));
  return {
    name: 'fixture',
    registryScopes: p.registryScopes,
    level: p.signatureVerification.level,
    verifyTimestamp: p.signatureVerification.verifyTimestamp ?? 'always',
    trustedIdentities:
      c.case.endsWith('wrong-identity') && c.identity
        ? [`x509.subject:${c.identity}`]
        : p.trustedIdentities,
    anchors: [...certs('ca'), ...certs('signingAuthority')],
    tsaAnchors: certs('tsa'),
  };
}

const parse = (c: Case) =>
  c.envelopeMediaType === 'application/cose'
    ? parseCose(read(c.signatureEnvelope!))
    : parseJws(read(c.signatureEnvelope!));
const repositoryOf = (c: Case) =>
  (c.artifactReference ?? 'x/y@').split('@')[0]!;
const targetOf = (payload: Buffer) =>
  (JSON.parse(payload.toString()) as { targetArtifact: { digest: Digest } })
    .targetArtifact.digest;

/** Cases the fixtures can only check in part (see the fixture README). */
const STEP_ONLY =
  /timestamp-(jws-expired-cert|cose-expired-cert$|before-cert|after-cert)|e2e\/(invalid-)?timestamped|oci-layout|invalid-signature$|unsigned/;

describe('Notation envelopes from the notation / notation-go test data', () => {
  const full = cases.filter(
    (c) => c.trustPolicy && c.signatureEnvelope && !STEP_ONLY.test(c.case),
  );

  it.each(full.map((c) => [c.case, c]))('%s', (_name, c) => {
    const envelope = parse(c);
    const subject = {
      repository: repositoryOf(c),
      digest: c.subject?.digest ?? targetOf(envelope.payload),
    };
    const outcome = verifyEnvelope(envelope, subject, [policyOf(c)]);
    expect(outcome.status === 'verified', JSON.stringify(outcome)).toBe(
      c.expect === 'valid',
    );
  });

  it('gives each failure its own reason', () => {
    const reasonOf = (name: string) => {
      const c = cases.find((x) => x.case === name)!;
      const envelope = parse(c);
      return verifyEnvelope(
        envelope,
        {
          repository: repositoryOf(c),
          digest: c.subject?.digest ?? targetOf(envelope.payload),
        },
        [policyOf(c)],
      ).reasonCode;
    };
    expect(
      [
        'e2e/valid-signature-wrong-identity',
        'e2e/valid-signature-untrusted-cert',
        'e2e/expired-signature',
        'e2e/expired-cert',
        'notation-go/mock-ca-invalid',
        'notation-go/timestamp-without-timestamp',
        'notation-go/timestamp-tsa-not-trusted',
      ].map(reasonOf),
    ).toEqual([
      'IDENTITY_MISMATCH',
      'UNTRUSTED_ROOT',
      'SIGNATURE_EXPIRED',
      'CERTIFICATE_EXPIRED',
      'SIGNATURE_MISMATCH',
      'TIMESTAMP_MISSING',
      'TIMESTAMP_INVALID',
    ]);
  });

  it('verifies the JWS and COSE envelopes over the alpine layout when their signer is trusted', () => {
    for (const name of [
      'notation-go/oci-layout-jws',
      'notation-go/oci-layout-cose',
    ]) {
      const c = cases.find((x) => x.case === name)!;
      const envelope = parse(c);
      const self = {
        name: 'self',
        registryScopes: ['*'],
        level: 'strict' as const,
        verifyTimestamp: 'always' as const,
        trustedIdentities: [`x509.subject: ${c.identity!}`],
        anchors: [envelope.certificates[0]!],
        tsaAnchors: [],
      };
      expect(
        verifyEnvelope(
          envelope,
          { repository: 'alpine', digest: c.subject!.digest },
          [self],
        ),
      ).toMatchObject({ status: 'verified', signers: ['self'] });
      expect(
        verifyEnvelope(
          envelope,
          { repository: 'alpine', digest: `sha256:${'0'.repeat(64)}` },
          [self],
        ).reasonCode,
      ).toBe('DIGEST_MISMATCH');
      expect(
        verifyEnvelope(
          envelope,
          { repository: 'alpine', digest: c.subject!.digest },
          [{ ...self, registryScopes: ['other/repo'] }],
        ).reasonCode,
      ).toBe('SCOPE_MISMATCH');
    }
  });

  it('accepts an expired signing certificate when a trusted timestamp lies inside its validity', () => {
    for (const name of [
      'notation-go/timestamp-jws-expired-cert',
      'notation-go/timestamp-cose-expired-cert',
    ]) {
      const c = cases.find((x) => x.case === name)!;
      const envelope = parse(c);
      const tsa = policyOf(c).tsaAnchors;
      const stamp = verifyTimestampToken(
        envelope.timestampToken!,
        envelope.signature,
        tsa,
      );
      expect(stamp).toMatchObject({ ok: true });
      const leaf = envelope.certificates[0]!;
      expect(new Date(leaf.validTo) < new Date()).toBe(true);
      expect(
        stamp.ok &&
          stamp.time >= new Date(leaf.validFrom) &&
          stamp.time <= new Date(leaf.validTo),
      ).toBe(true);
      // Trusting its signer, the whole check passes only thanks to the stamp.
      const policy = { ...policyOf(c), anchors: [leaf] };
      expect(
        verifyEnvelope(
          envelope,
          { repository: 'x', digest: targetOf(envelope.payload) },
          [policy],
        ).status,
      ).toBe('verified');
      expect(
        verifyEnvelope(
          envelope,
          { repository: 'x', digest: targetOf(envelope.payload) },
          [{ ...policy, tsaAnchors: [] }],
        ).reasonCode,
      ).toBe('CERTIFICATE_EXPIRED');
    }
  });

  it('refuses timestamps outside the signing certificate validity', () => {
    for (const name of [
      'notation-go/timestamp-before-cert-notbefore',
      'notation-go/timestamp-after-cert-notafter',
    ]) {
      const c = cases.find((x) => x.case === name)!;
      const envelope = parse(c);
      const policy = {
        ...policyOf(c),
        anchors: [envelope.certificates.at(-1)!],
      };
      expect(
        verifyEnvelope(
          envelope,
          { repository: 'x', digest: targetOf(envelope.payload) },
          [policy],
        ).reasonCode,
      ).toBe('CERTIFICATE_EXPIRED');
    }
  });
});

describe('Notation signatures built with a test CA, found as OCI 1.1 referrers', () => {
  let root: TestCert;
  let leaf: TestCert;
  const subject = {
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    digest: `sha256:${'7'.repeat(64)}`,
    size: 100,
  };

  beforeAll(async () => {
    root = await createTestCa('CN=Customs Notation Root,O=Customs Tests');
    leaf = await issueCert(root, {
      subject: 'CN=release,O=Customs Tests,C=US',
    });
  });

  it.each([
    ['JWS', 'application/jose+json' as const, notationJws],
    ['COSE', 'application/cose' as const, notationCose],
  ])(
    'verifies a %s envelope through the referrers API and the tag fallback',
    async (_n, mediaType, build) => {
      const trust = trustFromRules(
        'version: 1\nnotation:\n  release:\n    trustStore: [/ca.pem]\n    trustedIdentities: ["x509.subject: CN=release,O=Customs Tests"]\n    registryScopes: [team/app]\nenvironments: {dev: {}}',
        { '/ca.pem': root.pem },
      );
      const chain = [leaf, root];
      const good = notationManifest(
        subject,
        build(subject, { chain }),
        mediaType,
        chain,
      );
      const expired = notationManifest(
        subject,
        build(subject, { chain, expiry: daysFromNow(-1) }),
        mediaType,
        chain,
      );
      for (const api of [true, false]) {
        const source = new MemorySource();
        source.referrersApi = api;
        const goodDigest = source.add(good);
        const expiredDigest = source.add(expired);
        source.add(
          {
            manifest: Buffer.from(
              JSON.stringify({
                schemaVersion: 2,
                mediaType: 'application/vnd.oci.image.index.v1+json',
                manifests: [goodDigest, expiredDigest].map((d) => ({
                  mediaType: 'application/vnd.oci.image.manifest.v1+json',
                  digest: d,
                  size: 1,
                  artifactType: 'application/vnd.cncf.notary.signature',
                })),
              }),
            ),
          },
          subject.digest.replace(':', '-'),
          'application/vnd.oci.image.index.v1+json',
        );
        const s = { repository: 'team/app', digest: subject.digest as Digest };
        const found = await discoverSignatures(source, s, {
          maxSignatures: 8,
          artifactTypes: ['application/vnd.cncf.notary.signature'],
        });
        const ctx = {
          source,
          trust,
          options: {
            matchReference: 'repository' as const,
            maxPayloadBytes: 65536,
          },
        };
        const results = (
          await Promise.all(
            found.artifacts.map((a) => verifyArtifact(ctx, s, a)),
          )
        ).flat();
        expect(
          results.map((r) => [
            r.signatureDigest,
            r.discoveredVia,
            r.status,
            r.reasonCode ?? r.signers?.join(),
          ]),
        ).toEqual([
          [
            goodDigest,
            api ? 'referrers-api' : 'referrers-tag',
            'verified',
            'release',
          ],
          [
            expiredDigest,
            api ? 'referrers-api' : 'referrers-tag',
            'invalid',
            'SIGNATURE_EXPIRED',
          ],
        ]);
        expect(results[0]).toMatchObject({
          format:
            mediaType === 'application/cose' ? 'notation-cose' : 'notation-jws',
          identity: { subject: 'CN=release,O=Customs Tests,C=US' },
        });
      }
      expect(digestOf(Buffer.from('{}'))).toMatch(/^sha256:/);
    },
  );
});
