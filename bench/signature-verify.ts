/**
 * Time of one signature verification, as the worker does it (no network):
 *  - a cosign key-based signature (simple-signing claim checks + ECDSA P-256
 *    over the payload, read from an in-memory registry);
 *  - a Sigstore bundle (the real v0.3 conformance bundle against the
 *    public-good trusted_root.json: Fulcio chain, SCT, Rekor inclusion
 *    proof + checkpoint, signature, identity).
 * Baseline in the same run: one bare node:crypto ECDSA P-256 verify of the
 * same payload. Budgets from issue #6: key ≤ 5 ms, bundle ≤ 30 ms. Prints JSON.
 *
 *   npx tsx bench/signature-verify.ts [--iterations 300]
 */
import { createHash, generateKeyPairSync, sign, verify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { Digest } from '../lib/core/digest.js';
import { parseBundle, verifyBundle } from '../lib/signature/bundle.js';
import { discoverSignatures } from '../lib/signature/discover.js';
import { trustFromRules } from '../lib/signature/testing.js';
import { verifyArtifact } from '../lib/signature/verify-artifact.js';
import { MemorySource } from '../test/helpers/memory-source.js';
import { cosignManifest } from '../test/helpers/oci-push.js';
import { publicPem } from '../test/helpers/test-sigstore.js';

const { values } = parseArgs({
  options: { iterations: { type: 'string', default: '300' } },
});
const iterations = Number(values.iterations);
const SHARED = new URL(
  '../../shared/fixtures/sigstore-bundles/',
  import.meta.url,
);
const read = (p: string) => readFileSync(new URL(p, SHARED));

/** Mean ms per call over `iterations` calls, after a warm-up tenth. */
async function timeIt(fn: () => unknown): Promise<number> {
  for (let i = 0; i < Math.ceil(iterations / 10); i++) await fn();
  const start = performance.now();
  for (let i = 0; i < iterations; i++) await fn();
  return (performance.now() - start) / iterations;
}

const IMAGE = `sha256:${'5'.repeat(64)}` as Digest;
const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const payload = Buffer.from(
  JSON.stringify({
    critical: {
      identity: { 'docker-reference': 'registry.test/team/app' },
      image: { 'docker-manifest-digest': IMAGE },
      type: 'cosign container image signature',
    },
    optional: null,
  }),
);
const signature = sign('sha256', payload, pair.privateKey);

async function cosignKeyMs(): Promise<number> {
  const source = new MemorySource();
  source.add(
    cosignManifest([
      {
        mediaType: 'application/vnd.dev.cosign.simplesigning.v1+json',
        data: payload,
        annotations: {
          'dev.cosignproject.cosign/signature': signature.toString('base64'),
        },
      },
    ]),
    `${IMAGE.replace(':', '-')}.sig`,
  );
  const trust = trustFromRules(
    `version: 1\nkeys: {release: {publicKey: ${JSON.stringify(publicPem(pair.publicKey))}}}\nenvironments: {dev: {}}`,
    {},
  );
  const subject = { repository: 'team/app', digest: IMAGE };
  const [artifact] = (
    await discoverSignatures(source, subject, {
      maxSignatures: 4,
      artifactTypes: [],
    })
  ).artifacts;
  const ctx = {
    source,
    trust,
    options: { matchReference: 'repository' as const, maxPayloadBytes: 65536 },
  };
  const check = await verifyArtifact(ctx, subject, artifact!);
  if (check[0]?.status !== 'verified') throw new Error('cosign bench setup');
  return timeIt(() => verifyArtifact(ctx, subject, artifact!));
}

function bundleMs(): Promise<number> {
  const artifact = read('conformance/a.txt');
  const digest =
    `sha256:${createHash('sha256').update(artifact).digest('hex')}` as Digest;
  const trust = trustFromRules(
    [
      'version: 1',
      'trustedRoots: {pg: {file: /root.json}}',
      'identities: {beacon: {trustedRoot: pg, subjectRegex: "https://github.com/sigstore-conformance/.*", issuer: "https://token.actions.githubusercontent.com"}}',
      'environments: {dev: {}}',
    ].join('\n'),
    { '/root.json': read('trusted_root.public-good.json') },
  );
  const data = read('conformance/happy-path-v0.3/bundle.sigstore.json');
  const once = () => {
    const bundle = parseBundle(data);
    if ('status' in bundle) throw new Error(bundle.reason);
    return verifyBundle(
      { trust, subjectBody: artifact },
      { repository: 'r', digest },
      bundle,
    );
  };
  if (once().status !== 'verified') throw new Error('bundle bench setup');
  return timeIt(once);
}

const bareMs = await timeIt(() =>
  verify('sha256', payload, pair.publicKey, signature),
);
const cosign = await cosignKeyMs();
const bundle = await bundleMs();
const round = (n: number) => Math.round(n * 1000) / 1000;
console.log(
  JSON.stringify(
    {
      iterations,
      baseline: { bareEcdsaP256VerifyMs: round(bareMs) },
      cosignKeyVerificationMs: round(cosign),
      bundleVerificationMs: round(bundle),
      ratioCosignToBareVerify: round(cosign / bareMs),
      ratioBundleToBareVerify: round(bundle / bareMs),
      budgetsMs: { cosignKey: 5, bundle: 30 },
      withinBudget: cosign <= 5 && bundle <= 30,
    },
    null,
    2,
  ),
);
