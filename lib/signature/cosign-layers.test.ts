import { generateKeyPairSync, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Digest } from '../core/digest.js';
import {
  keySignedLayer,
  simpleSigningPayload,
  verifyAll as verifyIn,
} from '../../test/helpers/cosign-signatures.js';
import { MemorySource } from '../../test/helpers/memory-source.js';
import { cosignManifest } from '../../test/helpers/oci-push.js';
import { publicPem } from '../../test/helpers/test-sigstore.js';
import { trustFromRules } from './testing.js';
import type { TrustContext } from './trust.js';

const SHARED = new URL('../../../shared/fixtures/', import.meta.url);
const read = (p: string) => readFileSync(new URL(p, SHARED));
const IMAGE = `sha256:${'5'.repeat(64)}` as Digest;
const REPO = 'team/app';
const payloadFor = (digest: string, reference = `registry.test:5000/${REPO}`) =>
  simpleSigningPayload(digest, reference);
const keySigned = keySignedLayer;
const verifyAll = (
  source: MemorySource,
  trust: TrustContext,
  digest = IMAGE,
  repository = REPO,
) => verifyIn(source, trust, { repository, digest });

describe('cosign key-based signatures (legacy .sig tag)', () => {
  const pairs = {
    p256: generateKeyPairSync('ec', { namedCurve: 'P-256' }),
    p384: generateKeyPairSync('ec', { namedCurve: 'P-384' }),
    rsa: generateKeyPairSync('rsa', { modulusLength: 2048 }),
    ed25519: generateKeyPairSync('ed25519'),
  };
  const hashes = {
    p256: 'sha256',
    p384: 'sha384',
    rsa: 'sha256',
    ed25519: null,
  };
  const rules = Object.entries(pairs)
    .map(
      ([name, k]) =>
        `  ${name}: {publicKey: ${JSON.stringify(publicPem(k.publicKey))}}`,
    )
    .join('\n');
  const trust = trustFromRules(
    `version: 1\nkeys:\n${rules}\nenvironments: {dev: {}}`,
    {},
  );

  it.each(Object.keys(pairs))('verifies a %s key signature', async (name) => {
    const source = new MemorySource();
    const pair = pairs[name as keyof typeof pairs];
    source.add(
      cosignManifest([
        keySigned(
          payloadFor(IMAGE),
          pair.privateKey,
          hashes[name as keyof typeof hashes],
        ),
      ]),
      `${IMAGE.replace(':', '-')}.sig`,
    );
    expect(await verifyAll(source, trust)).toEqual([
      expect.objectContaining({
        status: 'verified',
        signers: [name],
        signer: `key:${name}`,
        discoveredVia: 'cosign-tag',
        format: 'cosign',
      }),
    ]);
  });

  it('gives each failure its own reason: wrong key, digest, repository', async () => {
    const source = new MemorySource();
    const stranger = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    source.add(
      cosignManifest([
        keySigned(payloadFor(IMAGE), stranger.privateKey),
        keySigned(
          payloadFor(`sha256:${'6'.repeat(64)}`),
          pairs.p256.privateKey,
        ),
        keySigned(
          payloadFor(IMAGE, 'registry.test/other/app:1'),
          pairs.p256.privateKey,
        ),
      ]),
      `${IMAGE.replace(':', '-')}.sig`,
    );
    expect(
      (await verifyAll(source, trust)).map((r) => [r.status, r.reasonCode]),
    ).toEqual([
      ['unknown_key', 'KEY_UNKNOWN'],
      ['invalid', 'DIGEST_MISMATCH'],
      ['invalid', 'REFERENCE_MISMATCH'],
    ]);
  });

  it('verifies a key-signed in-toto attestation under the .att tag', async () => {
    const body = Buffer.from(
      JSON.stringify({
        _type: 'https://in-toto.io/Statement/v1',
        subject: [{ name: 'app', digest: { sha256: IMAGE.slice(7) } }],
        predicateType: 'https://cyclonedx.org/bom',
        predicate: { bomFormat: 'CycloneDX' },
      }),
    );
    const type = 'application/vnd.in-toto+json';
    const pae = Buffer.concat([
      Buffer.from(`DSSEv1 ${type.length} ${type} ${body.length} `),
      body,
    ]);
    const envelope = Buffer.from(
      JSON.stringify({
        payloadType: type,
        payload: body.toString('base64'),
        signatures: [
          {
            keyid: '',
            sig: sign('sha256', pae, pairs.p256.privateKey).toString('base64'),
          },
        ],
      }),
    );
    const source = new MemorySource();
    source.add(
      cosignManifest([
        {
          mediaType: 'application/vnd.dsse.envelope.v1+json',
          data: envelope,
          annotations: {},
        },
      ]),
      `${IMAGE.replace(':', '-')}.att`,
    );
    expect(await verifyAll(source, trust)).toEqual([
      expect.objectContaining({
        format: 'dsse',
        kind: 'attestation',
        predicateType: 'https://cyclonedx.org/bom',
        status: 'verified',
        signers: ['p256'],
      }),
    ]);
  });

  it('verifies several signatures on one tag, each with the key that made it (real fixture)', async () => {
    const index = JSON.parse(read('cosign/busybox/INDEX.json').toString()) as {
      imageDigest: Digest;
      imageRepository: string;
    };
    const source = new MemorySource();
    source.add(
      {
        manifest: read('cosign/busybox/sig-manifest-final.json'),
        blobs: [read('cosign/busybox/sig-1/payload.json')],
      },
      `${index.imageDigest.replace(':', '-')}.sig`,
    );
    const fixtureTrust = trustFromRules(
      'version: 1\nkeys: {cosign: {publicKeyFile: /c.pub}, legacy: {publicKeyFile: /l.pub}}\nenvironments: {dev: {}}',
      {
        '/c.pub': read('cosign/keys/cosign.pub'),
        '/l.pub': read('cosign/keys/legacy.pub'),
      },
    );
    expect(
      (
        await verifyAll(
          source,
          fixtureTrust,
          index.imageDigest,
          index.imageRepository,
        )
      ).map((r) => [r.status, r.signer]),
    ).toEqual([
      ['verified', 'key:cosign'],
      ['verified', 'key:legacy'],
    ]);
  });
});
