/**
 * cosign `.sig`/`.att` layers as cosign writes them, for tests: the
 * simple-signing payload, key-signed layers, keyless layers (certificate,
 * chain and Rekor bundle annotations), and a helper that discovers and
 * verifies an image's signatures in an in-memory registry.
 */
import { sign, type KeyObject } from 'node:crypto';
import type { Digest } from '../../lib/core/digest.js';
import { discoverSignatures } from '../../lib/signature/discover.js';
import type { TrustContext } from '../../lib/signature/trust.js';
import { verifyArtifact } from '../../lib/signature/verify-artifact.js';
import type { MemorySource } from './memory-source.js';
import type { TestCert } from './test-pki.js';
import {
  cosignRekorBundle,
  hashedRekordBody,
  logEntry,
  type TestSigstore,
} from './test-sigstore.js';

export const SIMPLE_SIGNING =
  'application/vnd.dev.cosign.simplesigning.v1+json';

/** A cosign layer: payload blob and its annotations. */
export interface CosignLayer {
  mediaType: string;
  data: Buffer;
  annotations: Record<string, string>;
}

/** cosign's simple-signing payload for `digest` at `reference`. */
export function simpleSigningPayload(
  digest: string,
  reference: string,
): Buffer {
  return Buffer.from(
    JSON.stringify({
      critical: {
        identity: { 'docker-reference': reference },
        image: { 'docker-manifest-digest': digest },
        type: 'cosign container image signature',
      },
      optional: null,
    }),
  );
}

/** A layer signed with a key (`hash` null for Ed25519). */
export function keySignedLayer(
  payload: Buffer,
  key: KeyObject,
  hash: string | null = 'sha256',
): CosignLayer {
  return {
    mediaType: SIMPLE_SIGNING,
    data: payload,
    annotations: {
      'dev.cosignproject.cosign/signature': sign(hash, payload, key).toString(
        'base64',
      ),
    },
  };
}

/**
 * A keyless layer: signed with the certificate's key, logged (hashedrekord)
 * in the test log, its Rekor bundle attached. `tamper` changes the payload
 * after signing; `noBundle` leaves the Rekor bundle out.
 */
export function keylessLayer(
  sigstore: TestSigstore,
  cert: TestCert,
  payload: Buffer,
  options: { tamper?: boolean; noBundle?: boolean } = {},
): CosignLayer {
  const signature = sign('sha256', payload, cert.privateKey);
  const entry = logEntry(
    sigstore,
    hashedRekordBody(payload, signature, cert.pem),
  );
  const data = options.tamper
    ? Buffer.from(
        payload.toString().replace('"optional":null', '"optional":{}'),
      )
    : payload;
  const annotations: Record<string, string> = {
    'dev.cosignproject.cosign/signature': signature.toString('base64'),
    'dev.sigstore.cosign/certificate': cert.pem,
    'dev.sigstore.cosign/chain': sigstore.ca.pem,
  };
  if (!options.noBundle)
    annotations['dev.sigstore.cosign/bundle'] = cosignRekorBundle(
      entry,
      sigstore,
    );
  return { mediaType: SIMPLE_SIGNING, data, annotations };
}

/** Discovers the subject's signatures in `source` and verifies them all. */
export async function verifyAll(
  source: MemorySource,
  trust: TrustContext,
  subject: { repository: string; digest: Digest },
) {
  const found = await discoverSignatures(source, subject, {
    maxSignatures: 8,
    artifactTypes: ['application/vnd.dev.sigstore.bundle.v0.3+json'],
  });
  const ctx = {
    source,
    trust,
    options: { matchReference: 'repository' as const, maxPayloadBytes: 65536 },
  };
  return (
    await Promise.all(
      found.artifacts.map((a) => verifyArtifact(ctx, subject, a)),
    )
  ).flat();
}
