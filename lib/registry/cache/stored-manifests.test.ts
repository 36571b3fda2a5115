import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Digest } from '../../core/digest.js';
import type { ManifestRecord } from '../../storage/ports.js';
import { storedManifests } from './stored-manifests.js';

const digestOf = (body: Buffer) =>
  `sha256:${createHash('sha256').update(body).digest('hex')}` as Digest;

function storeOf(bodies: Buffer[]) {
  const reads: Digest[] = [];
  const records = new Map<Digest, ManifestRecord>(
    bodies.map((body) => [
      digestOf(body),
      {
        digest: digestOf(body),
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        kind: 'image',
        body,
        references: [],
      },
    ]),
  );
  return {
    reads,
    records,
    stores: {
      manifests: {
        get: (d: Digest) => {
          reads.push(d);
          return Promise.resolve(records.get(d));
        },
      },
      serving: { tagged: () => Promise.resolve(undefined) },
    },
  };
}

describe('storedManifests', () => {
  it('reads a verified manifest once, then serves it from memory', async () => {
    const body = Buffer.from('{"schemaVersion":2}');
    const s = storeOf([body]);
    const local = storedManifests(s.stores);
    expect((await local.manifest(digestOf(body)))?.body).toEqual(body);
    expect((await local.manifest(digestOf(body)))?.body).toEqual(body);
    expect(s.reads).toHaveLength(1);
  });

  it('never serves nor remembers bytes that do not match their digest', async () => {
    const body = Buffer.from('{"a":1}');
    const s = storeOf([body]);
    s.records.get(digestOf(body))!.body = Buffer.from('{"a":2}');
    const local = storedManifests(s.stores);
    expect(await local.manifest(digestOf(body))).toBeUndefined();
    expect(await local.manifest(digestOf(body))).toBeUndefined();
    expect(s.reads).toHaveLength(2);
  });

  it('drops the least recently used manifests beyond its byte budget', async () => {
    const bodies = ['{"n":1}', '{"n":2}', '{"n":3}'].map((t) => Buffer.from(t));
    const s = storeOf(bodies);
    const [a, b, c] = bodies.map(digestOf) as [Digest, Digest, Digest];
    const local = storedManifests(s.stores, 2 * bodies[0]!.length);
    await local.manifest(a);
    await local.manifest(b);
    await local.manifest(a); // a is now the most recent
    await local.manifest(c); // evicts b
    s.reads.length = 0;
    await local.manifest(a);
    await local.manifest(c);
    expect(s.reads).toEqual([]);
    await local.manifest(b);
    expect(s.reads).toEqual([b]);
  });
});
