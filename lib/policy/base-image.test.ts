import { describe, expect, it } from 'vitest';
import type { Digest } from '../core/digest.js';
import type { ImageEvidence } from '../core/image-evidence.js';
import { attribute } from './attribution.js';
import { judgeBaseImage } from './evaluate-base-image.js';

const d = (n: number) => `sha256:${String(n).repeat(64)}` as Digest;
const onOldBase: ImageEvidence = {
  secrets: [],
  layers: [d(1), d(7)],
  baseImage: {
    name: 'hardened-debian',
    revision: 1,
    latestRevision: 2,
    baseLayers: 1,
  },
};
const rules = (over = {}) => ({
  requireApproved: true,
  names: [],
  requireLatest: false,
  ...over,
});

describe('base image rules', () => {
  it('accepts an approved base, refuses none or another', () => {
    expect(judgeBaseImage(onOldBase, rules())).toEqual([]);
    expect(
      judgeBaseImage({ secrets: [], layers: [d(7)] }, rules())[0]?.message,
    ).toBe(
      'not built on an approved base: rebuild FROM an approved base image',
    );
    expect(
      judgeBaseImage(onOldBase, rules({ names: ['distroless'] }))[0]?.message,
    ).toBe(
      'not built on distroless (built on hardened-debian): rebuild FROM an approved base image',
    );
  });

  it('can demand the newest revision of the base', () => {
    expect(
      judgeBaseImage(onOldBase, rules({ requireLatest: true }))[0]?.message,
    ).toBe(
      'built on revision 1 of hardened-debian, not its newest (2): rebuild on the newer base',
    );
  });
});

describe('attribution', () => {
  it('says a base finding is fixed by rebuilding on the newer base', () => {
    expect(attribute(d(1), onOldBase)).toEqual({
      layerDigest: d(1),
      layerIndex: 0,
      origin: 'base',
      remedy:
        'from the base image hardened-debian: rebuild on the newest hardened-debian (revision 2; this image uses 1)',
    });
    const latest: ImageEvidence = {
      ...onOldBase,
      baseImage: { ...onOldBase.baseImage!, revision: 2 },
    };
    expect(attribute(d(1), latest).remedy).toBe(
      'from the base image hardened-debian: rebuild on a newer hardened-debian once it carries the fix',
    );
  });

  it('puts everything else in the application', () => {
    expect(attribute(d(7), onOldBase)).toMatchObject({
      origin: 'app',
      layerIndex: 1,
    });
    expect(attribute(d(9), undefined)).toMatchObject({
      origin: 'app',
      layerIndex: undefined,
    });
  });
});
