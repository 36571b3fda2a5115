import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Digest } from '../core/digest.js';
import { parseBundle, verifyBundle } from './bundle.js';
import { trustFromRules } from './testing.js';

const FIXTURES = new URL(
  '../../../shared/fixtures/sigstore-bundles/',
  import.meta.url,
);
const read = (p: string) => readFileSync(new URL(p, FIXTURES));

interface Case {
  case: string;
  kind: string;
  expect: 'valid' | 'invalid';
  bundle?: string;
  artifact?: string;
  artifactDigest?: string;
  trustedRoot?: string;
  key?: string;
  identity?: string;
  issuer?: string;
}
const cases = (JSON.parse(read('INDEX.json').toString()) as Case[]).filter(
  (c) =>
    c.bundle !== undefined &&
    (c.artifact !== undefined || c.artifactDigest !== undefined) &&
    !c.case.endsWith('managed-key-wrong-key_fail'),
);

/** The reason each invalid case must give (one code per kind of failure). */
const EXPECTED_CODE: Record<string, string> = {
  'conformance/wrong-material_fail': 'DIGEST_MISMATCH',
  'conformance/signature-mismatch_fail': 'SIGNATURE_MISMATCH',
  'conformance/incorrect-public-key_fail': 'TLOG_INVALID',
  'conformance/message-digest-mismatch_fail': 'DIGEST_MISMATCH',
  'conformance/wrong-hashedrekord-artifact_fail': 'TLOG_INVALID',
  'conformance/invalid-inclusion-proof_fail': 'TLOG_MISSING',
  'conformance/inclusion-proof-corrupted-hash_fail': 'TLOG_INVALID',
  'conformance/invalid-checkpoint-signature_fail': 'TLOG_INVALID',
  'conformance/set-invalid-signature_fail': 'TLOG_INVALID',
  'conformance/bundle-from-wrong-instance_fail': 'UNTRUSTED_ROOT',
  'conformance/bundle-empty-certificate-chain_fail': 'MALFORMED',
  'conformance/bundle-malformed-json_fail': 'MALFORMED',
  'conformance/dsse-invalid-sig_fail': 'SIGNATURE_MISMATCH',
  'conformance/dsse-mismatch-envelope_fail': 'TLOG_INVALID',
  'conformance/intoto-missing-inclusion-proof_fail': 'TLOG_MISSING',
  'conformance/managed-key-no-key_fail': 'KEY_UNKNOWN',
  'conformance/rekor2-no-timestamp_fail': 'CERTIFICATE_EXPIRED',
  'conformance/rekor2-no-inclusion-proof_fail': 'TLOG_MISSING',
  'sigstore-go/npm-provenance-wrong-identity': 'IDENTITY_MISMATCH',
  'sigstore-go/npm-provenance-wrong-digest': 'DIGEST_MISMATCH',
  'cosign/oci-attestation-wrong-identity': 'IDENTITY_MISMATCH',
  'cosign/oci-attestation-other-image': 'DIGEST_MISMATCH',
};
/**
 * Cases where @sigstore/verify 3.x (the Node 20 line) disagrees with the
 * fixture's expectation, as the fixture README documents: Rekor v2 DSSE
 * entries are not understood before 4.x; the otherName checkpoint signer
 * does not match the root's tlog URL. Both are refused, never accepted.
 */
const KNOWN_REFUSALS: Record<string, string> = {
  'conformance/rekor2-dsse-happy-path': 'TLOG_INVALID',
  'sigstore-go/othername-san': 'MALFORMED',
};

function verifyCase(c: Case, identity = c.identity, issuer = c.issuer) {
  const files: Record<string, string | Buffer> = {
    '/root.json': read(c.trustedRoot ?? 'trusted_root.public-good.json'),
  };
  const lines = ['version: 1', 'trustedRoots: {root: {file: /root.json}}'];
  if (c.key) {
    files['/key.pub'] = read(c.key);
    lines.push('keys: {k: {publicKeyFile: /key.pub, trustedRoot: root}}');
  }
  if (identity && issuer)
    lines.push(
      `identities: {id: {trustedRoot: root, subject: ${JSON.stringify(identity)}, issuer: ${JSON.stringify(issuer)}}}`,
    );
  lines.push('environments: {dev: {}}');
  const trust = trustFromRules(lines.join('\n'), files);
  const artifact = c.artifact ? read(c.artifact) : undefined;
  const digest = (c.artifactDigest ??
    `sha256:${createHash('sha256').update(artifact!).digest('hex')}`) as Digest;
  const bundle = parseBundle(read(c.bundle!));
  return 'status' in bundle
    ? bundle
    : verifyBundle(
        { trust, subjectBody: artifact },
        { repository: 'r', digest },
        bundle,
      );
}

describe('verifyBundle on the shared Sigstore fixtures (offline, trusted_root.json)', () => {
  it.each(cases.map((c) => [c.case, c]))('%s', (_name, c) => {
    const outcome = verifyCase(c);
    const known = KNOWN_REFUSALS[c.case];
    if (known) {
      expect(outcome).toMatchObject({ status: 'invalid', reasonCode: known });
    } else if (c.expect === 'valid') {
      expect(outcome).toMatchObject({
        status: 'verified',
        signers: [expect.any(String)],
      });
    } else {
      const code = EXPECTED_CODE[c.case];
      expect(outcome.status).not.toBe('verified');
      if (code) expect(outcome.reasonCode).toBe(code);
    }
  });

  it('covers bundle media types v0.1, v0.2 and both v0.3 spellings', () => {
    const versions = cases
      .filter((c) => c.expect === 'valid' && c.case.includes('happy-path-v'))
      .map(
        (c) =>
          (parseBundle(read(c.bundle!)) as { mediaType: string }).mediaType,
      );
    expect(versions.sort()).toEqual([
      'application/vnd.dev.sigstore.bundle+json;version=0.1',
      'application/vnd.dev.sigstore.bundle+json;version=0.2',
      'application/vnd.dev.sigstore.bundle+json;version=0.3',
      'application/vnd.dev.sigstore.bundle.v0.3+json',
    ]);
  });

  it('tells a wrong OIDC issuer from a wrong identity', () => {
    const happy = cases.find((c) => c.case === 'conformance/happy-path-v0.3')!;
    expect(
      verifyCase(happy, happy.identity, 'https://accounts.google.com'),
    ).toMatchObject({
      status: 'unknown_key',
      reasonCode: 'ISSUER_MISMATCH',
      identity: { subject: happy.identity, issuer: happy.issuer },
    });
    expect(
      verifyCase(happy, 'https://github.com/other/repo', happy.issuer),
    ).toMatchObject({
      status: 'unknown_key',
      reasonCode: 'IDENTITY_MISMATCH',
    });
  });

  it('exposes the predicate of an in-toto attestation (SLSA provenance builder)', () => {
    const npm = cases.find((c) => c.case === 'sigstore-go/npm-provenance')!;
    expect(verifyCase(npm)).toMatchObject({
      status: 'verified',
      kind: 'attestation',
      predicateType: 'https://slsa.dev/provenance/v1',
      payload: { builderId: 'https://github.com/actions/runner/github-hosted' },
    });
  });
});
