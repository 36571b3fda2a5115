import { beforeAll, describe, expect, it } from 'vitest';
import type { Digest } from '../core/digest.js';
import { daysFromNow, type TestCert } from '../../test/helpers/test-pki.js';
import {
  createTestSigstore,
  sigstoreDsseBundle,
  statement,
  type BundleOptions,
  type TestSigstore,
} from '../../test/helpers/test-sigstore.js';
import { parseBundle, verifyBundle } from './bundle.js';
import { trustFromRules } from './testing.js';
import type { TrustContext } from './trust.js';

const IMAGE = `sha256:${'9'.repeat(64)}` as Digest;
const SIGN = 'https://sigstore.dev/cosign/sign/v1';
const IDENTITY =
  'https://ci.test/org/app/.github/workflows/release.yml@refs/heads/main';
const ISSUER = 'https://token.ci.test';

describe('Sigstore bundles built with a test CA, log and trusted root', () => {
  let sigstore: TestSigstore;
  let signer: TestCert;
  let trust: TrustContext;

  beforeAll(async () => {
    sigstore = await createTestSigstore();
    signer = await sigstore.issue({
      san: { type: 'url', value: IDENTITY },
      oidcIssuer: ISSUER,
    });
    trust = trustFromRules(
      `version: 1\ntrustedRoots: {test: {file: /root.json, ctlogThreshold: 0}}\nidentities: {release: {trustedRoot: test, subjectRegex: "https://ci\\\\.test/org/app/.*", issuer: ${JSON.stringify(ISSUER)}}}\nenvironments: {dev: {}}`,
      { '/root.json': sigstore.trustedRoot },
    );
  });

  const check = (bundle: Buffer, digest = IMAGE) => {
    const parsed = parseBundle(bundle);
    return 'status' in parsed
      ? parsed
      : verifyBundle({ trust }, { repository: 'team/app', digest }, parsed);
  };
  const build = (options: BundleOptions, cert = signer, predicateType = SIGN) =>
    sigstoreDsseBundle(
      sigstore,
      cert,
      statement(IMAGE, predicateType),
      options,
    );

  it.each(['0.1', '0.2', '0.3'] as const)(
    'verifies a v%s bundle (identity by regex)',
    (version) => {
      expect(check(build({ version }))).toMatchObject({
        status: 'verified',
        kind: 'signature',
        signers: ['release'],
        identity: { subject: IDENTITY, issuer: ISSUER },
      });
    },
  );

  it('gives each failure its own reason', async () => {
    const expired = await sigstore.issue({
      san: { type: 'url', value: IDENTITY },
      oidcIssuer: ISSUER,
      notBefore: daysFromNow(-3),
      notAfter: daysFromNow(-2),
    });
    const other = await createTestSigstore();
    const foreign = await other.issue({
      san: { type: 'url', value: IDENTITY },
      oidcIssuer: ISSUER,
    });
    const tampered = JSON.parse(build({ version: '0.3' }).toString()) as {
      dsseEnvelope: { payload: string };
    };
    tampered.dsseEnvelope.payload = Buffer.from(
      JSON.stringify(statement(IMAGE, SIGN, { added: 'after signing' })),
    ).toString('base64');
    const outcomes = {
      missingTlog: check(build({ version: '0.3', noTlog: true })),
      expiredNoTimestamp: check(
        build({ version: '0.3', noPromise: true }, expired),
      ),
      noTimestamp: check(build({ version: '0.3', noPromise: true })),
      tampered: check(Buffer.from(JSON.stringify(tampered))),
      digestMismatch: check(
        build({ version: '0.3' }),
        `sha256:${'8'.repeat(64)}`,
      ),
      untrustedRoot: check(
        sigstoreDsseBundle(other, foreign, statement(IMAGE, SIGN), {
          version: '0.3',
        }),
      ),
    };
    expect(
      Object.fromEntries(
        Object.entries(outcomes).map(([k, o]) => [k, [o.status, o.reasonCode]]),
      ),
    ).toEqual({
      missingTlog: ['invalid', 'TLOG_MISSING'],
      expiredNoTimestamp: ['invalid', 'CERTIFICATE_EXPIRED'],
      noTimestamp: ['invalid', 'TIMESTAMP_MISSING'],
      tampered: ['invalid', 'SIGNATURE_MISMATCH'],
      digestMismatch: ['invalid', 'DIGEST_MISMATCH'],
      untrustedRoot: ['invalid', 'UNTRUSTED_ROOT'],
    });
  });
});
