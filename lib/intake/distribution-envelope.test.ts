import { describe, expect, it } from 'vitest';
import { intentOf as intentOfIntake } from './intake-event.js';
import {
  distributionToIntake,
  type DistributionEvent,
  parseDistributionEnvelope,
} from './distribution-envelope.js';

const intentOf = (e: DistributionEvent) =>
  intentOfIntake(distributionToIntake([e])[0]!);

const D = `sha256:${'a'.repeat(64)}` as const;
type EventOverrides = Partial<Omit<DistributionEvent, 'target'>> & {
  target?: Partial<DistributionEvent['target']>;
};
const event = (over: EventOverrides): DistributionEvent => ({
  id: 'e1',
  action: 'push',
  ...over,
  target: {
    repository: 'team/app',
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    digest: D,
    ...over.target,
  },
});

describe('intentOf', () => {
  it('scans a manifest push, with or without a tag', () => {
    expect(intentOf(event({ target: { tag: '1.0' } }))).toEqual({
      kind: 'scan',
      repository: 'team/app',
      digest: D,
      tag: '1.0',
    });
    expect(intentOf(event({}))).toEqual({
      kind: 'scan',
      repository: 'team/app',
      digest: D,
      tag: undefined,
    });
    expect(
      intentOf(
        event({
          target: {
            mediaType:
              'application/vnd.docker.distribution.manifest.list.v2+json',
          },
        }),
      ).kind,
    ).toBe('scan');
  });

  it('re-evaluates the subject of a cosign signature or attestation tag', () => {
    const subject = 'b'.repeat(64);
    for (const suffix of ['sig', 'att', 'sbom']) {
      expect(
        intentOf(event({ target: { tag: `sha256-${subject}.${suffix}` } })),
      ).toEqual({
        kind: 'reevaluate',
        repository: 'team/app',
        digest: `sha256:${subject}`,
        signatureDigest: D,
        tag: `sha256-${subject}.${suffix}`,
      });
    }
    // Near miss: not a digest-shaped tag.
    expect(intentOf(event({ target: { tag: 'sha256-abc.sig' } })).kind).toBe(
      'scan',
    );
  });

  it('re-evaluates the subject of a referrers tag-schema index push', () => {
    const subject = 'c'.repeat(64);
    expect(
      intentOf(
        event({
          target: {
            tag: `sha256-${subject}`,
            mediaType: 'application/vnd.oci.image.index.v1+json',
          },
        }),
      ),
    ).toMatchObject({ kind: 'reevaluate', digest: `sha256:${subject}` });
    expect(
      intentOf(event({ target: { tag: `sha256-${subject}.other` } })).kind,
    ).toBe('scan');
  });

  it('forgets a deleted manifest or tag, whatever its media type', () => {
    const del = (target: Partial<DistributionEvent['target']>) =>
      intentOf(event({ action: 'delete', target }));
    expect(del({ mediaType: undefined })).toEqual({
      kind: 'delete',
      repository: 'team/app',
      digest: D,
      tag: undefined,
    });
    expect(del({ digest: undefined, tag: 'v1', mediaType: undefined })).toEqual(
      { kind: 'delete', repository: 'team/app', digest: undefined, tag: 'v1' },
    );
  });

  it.each([
    ['a pull', event({ action: 'pull' })],
    ['a mount', event({ action: 'mount' })],
    [
      'a delete naming neither digest nor tag',
      event({ action: 'delete', target: { digest: undefined } }),
    ],
    [
      'a blob push',
      event({ target: { mediaType: 'application/octet-stream' } }),
    ],
    [
      'a manifest push without digest',
      event({ target: { digest: undefined } }),
    ],
  ])('ignores %s', (_name, e) => {
    expect(intentOf(e).kind).toBe('ignore');
  });
});

describe('parseDistributionEnvelope', () => {
  it('keeps unknown fields and accepts an empty envelope', () => {
    expect(parseDistributionEnvelope(Buffer.from('{"events":[]}'))).toEqual([]);
    const [e] = parseDistributionEnvelope(
      Buffer.from(JSON.stringify({ events: [{ ...event({}), extra: 1 }] })),
    );
    expect(e).toMatchObject({ id: 'e1', extra: 1 });
  });

  it('refuses more than 1000 events in one envelope', () => {
    const events = Array.from({ length: 1001 }, (_, i) =>
      event({ id: `e${i}` }),
    );
    expect(() =>
      parseDistributionEnvelope(Buffer.from(JSON.stringify({ events }))),
    ).toThrow(expect.objectContaining({ code: 'ENVELOPE_INVALID' }));
  });
});
