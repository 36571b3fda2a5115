/**
 * The signers of the signature end-to-end test and the trust rules that
 * name them: a cosign key pair, a test Sigstore (trusted root + identity),
 * a Notation CA; plus an untrusted counterpart of each.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateCosignKeyPair } from './cosign.js';
import { createTestCa, type TestCert } from './test-pki.js';
import { createTestSigstore, type TestSigstore } from './test-sigstore.js';

/** Trusted and untrusted signing material, and the rules file. */
export interface SigningTrust {
  sigstore: TestSigstore;
  foreignSigstore: TestSigstore;
  notaryRoot: TestCert;
  strangerRoot: TestCert;
  /** Key prefixes for sign-image.sh. */
  releaseKey: string;
  strangerKey: string;
  rulesFile: string;
}

/**
 * Writes `rules.yaml` in `work`: prod requires a signature by any of
 * release-key (cosign key), release-ci (keyless identity) and
 * release-notary (Notation), one clause of `require`.
 */
export async function createSigningTrust(
  work: string,
  identity: { subject: string; issuer: string },
): Promise<SigningTrust> {
  const sigstore = await createTestSigstore();
  const notaryRoot = await createTestCa(
    'CN=Notary Release Root,O=Customs Tests',
  );
  const releaseKey = join(work, 'release');
  const strangerKey = join(work, 'stranger');
  const { publicKeyFile } = await generateCosignKeyPair(releaseKey);
  await generateCosignKeyPair(strangerKey);
  writeFileSync(join(work, 'root.json'), sigstore.trustedRoot);
  writeFileSync(join(work, 'notary.pem'), notaryRoot.pem);
  const rulesFile = join(work, 'rules.yaml');
  writeFileSync(
    rulesFile,
    [
      'version: 1',
      `keys: {release-key: {publicKeyFile: ${publicKeyFile}}}`,
      `trustedRoots: {test: {file: ${join(work, 'root.json')}, ctlogThreshold: 0}}`,
      `identities: {release-ci: {trustedRoot: test, subject: ${JSON.stringify(identity.subject)}, issuer: ${JSON.stringify(identity.issuer)}}}`,
      `notation: {release-notary: {trustStore: [${join(work, 'notary.pem')}], trustedIdentities: ["x509.subject: O=Customs Tests"]}}`,
      'environments:',
      '  dev: {}',
      '  prod:',
      '    signatures:',
      '      require: [{anyOf: [release-key, release-ci, release-notary]}]',
    ].join('\n'),
  );
  return {
    sigstore,
    foreignSigstore: await createTestSigstore(),
    notaryRoot,
    strangerRoot: await createTestCa('CN=Somebody Else,O=Elsewhere'),
    releaseKey,
    strangerKey,
    rulesFile,
  };
}
