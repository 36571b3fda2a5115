/**
 * One verdict: an image judged alone (scan path, judgeImage) and judged in
 * a batch (re-match after an import, judgeImageBatch) must come out the
 * same, reasons included; otherwise every import would flip the stored
 * reasons and announce changes that are not changes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../lib/log/create-logger.js';
import { judgeImage, type JudgeDeps } from '../../lib/policy/judge.js';
import { judgeImageBatch } from '../../lib/policy/judge-batch.js';
import { parseRules, type RuleSet } from '../../lib/policy/rules.js';
import type { Database } from '../../lib/storage/database.js';
import { migrate } from '../../lib/storage/postgres/migrate.js';
import { openPgliteDatabase } from '../../lib/storage/postgres/pglite-database.js';
import { createStores } from '../../lib/storage/postgres/stores.js';
import type { Verdict } from '../../lib/core/verdict.js';
import type { Stores } from '../../lib/storage/ports.js';
import {
  digestOf,
  languagePackage,
  storeScannedImage,
} from '../helpers/stored-images.js';
import { createTestSigstore } from '../helpers/test-sigstore.js';

const logger = createLogger({ level: 'silent' });

/** Keyless trust only: no entry under `keys`. */
const KEYLESS_RULES = `
version: 1
trustedRoots: {ci: {file: /root.json, ctlogThreshold: 0}}
identities:
  release-ci: {trustedRoot: ci, subject: "https://ci.example/release", issuer: "https://oidc.example"}
environments:
  dev: {}
  prod:
    signatures: {required: true}
`;

describe('the single-image and batch judges agree', () => {
  let db: Database;
  let stores: Stores;
  let rules: RuleSet;
  const image = { repository: 'team/app', digest: digestOf('unsigned') };

  const stored = async (): Promise<Array<Partial<Verdict>>> =>
    (await stores.verdicts.list(image.repository, image.digest)).map((v) => ({
      environment: v.environment,
      status: v.status,
      reasons: v.reasons,
    }));

  let trustedRoot: string;

  beforeAll(async () => {
    ({ trustedRoot } = await createTestSigstore());
    rules = parseRules(KEYLESS_RULES, (file) => {
      if (file === '/root.json') return Buffer.from(trustedRoot);
      throw new Error(`unexpected file ${file}`);
    });
    ({ database: db } = await openPgliteDatabase(undefined));
    await migrate(db);
    stores = createStores(db);
    await storeScannedImage(stores, {
      ...image,
      packages: [languagePackage('npm', 'is-number', '7.0.0')],
    });
  });
  afterAll(async () => {
    await db.close();
  });

  it('with keyless identities only, both say the signature is missing', async () => {
    const deps: JudgeDeps = { stores, rules: () => rules, logger };
    await judgeImage(deps, image, 'scan: test');
    const single = await stored();
    expect(single).toEqual([
      {
        environment: 'dev',
        status: 'eligible',
        reasons: [expect.objectContaining({ code: 'POLICY_PASSED' })],
      },
      {
        environment: 'prod',
        status: 'ineligible',
        reasons: expect.arrayContaining([
          expect.objectContaining({ code: 'SIGNATURE_MISSING' }),
        ]),
      },
    ]);

    const contexts = await stores.rematch.contextOf([image.digest]);
    const batch = await judgeImageBatch(deps, contexts.values(), 'rematch');
    expect(batch.changes).toEqual([]);
    expect(await stored()).toEqual(single);
  });

  it('with a k-of-n clause over identities and a required attestation, both admit the image', async () => {
    const signed = { repository: 'team/app', digest: digestOf('attested') };
    await storeScannedImage(stores, {
      ...signed,
      packages: [languagePackage('npm', 'is-number', '7.0.0')],
    });
    const verified = {
      subjectDigest: signed.digest,
      format: 'sigstore-bundle',
      discoveredVia: 'referrers',
      status: 'verified' as const,
      signer: 'https://ci.example/release',
      signers: ['release-ci'],
    };
    await stores.signatures.replaceFor(signed.digest, [
      {
        ...verified,
        signatureDigest: digestOf('signature'),
        layerDigest: digestOf('signature-layer'),
        kind: 'signature',
      },
      {
        ...verified,
        signatureDigest: digestOf('attestation'),
        layerDigest: digestOf('attestation-layer'),
        kind: 'attestation',
        predicateType: 'https://slsa.dev/provenance/v1',
        payload: { builderId: 'https://ci.example/builder' },
      },
    ]);
    const attestedRules = parseRules(
      KEYLESS_RULES.replace(
        'signatures: {required: true}',
        `signatures: {require: [{anyOf: [release-ci], atLeast: 1}]}
    attestations:
      - {predicateType: "https://slsa.dev/provenance/v1", builderId: "https://ci.example/builder", signers: [release-ci]}`,
      ),
      () => Buffer.from(trustedRoot),
    );
    const deps: JudgeDeps = { stores, rules: () => attestedRules, logger };
    await judgeImage(deps, signed, 'scan: test');
    const single = await stores.verdicts.list(signed.repository, signed.digest);
    expect(single.map((v) => [v.environment, v.status])).toEqual([
      ['dev', 'eligible'],
      ['prod', 'eligible'],
    ]);

    const contexts = await stores.rematch.contextOf([signed.digest]);
    const batch = await judgeImageBatch(deps, contexts.values(), 'rematch');
    expect(batch.changes).toEqual([]);
    const again = await stores.verdicts.list(signed.repository, signed.digest);
    expect(again.map((v) => [v.environment, v.status, v.reasons])).toEqual(
      single.map((v) => [v.environment, v.status, v.reasons]),
    );
  });
});
