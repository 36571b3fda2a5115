import { describe, expect, it } from 'vitest';
import type { Digest } from '../core/digest.js';
import { recogniseBase } from './base-image.js';

const d = (n: number) => `sha256:${String(n).repeat(64)}` as Digest;
const BASES = [
  { name: 'hardened-debian', revisions: [[d(1)], [d(2), d(3)]] },
  { name: 'distroless', revisions: [[d(4)]] },
];

describe('recogniseBase', () => {
  it('finds the base revision whose layers the image starts with', () => {
    expect(recogniseBase([d(2), d(3), d(9)], BASES)).toEqual({
      name: 'hardened-debian',
      revision: 2,
      latestRevision: 2,
      baseLayers: 2,
    });
    expect(recogniseBase([d(1), d(9)], BASES)).toMatchObject({
      name: 'hardened-debian',
      revision: 1,
      baseLayers: 1,
    });
  });

  it('recognises nothing when the first layers are not a base', () => {
    expect(recogniseBase([d(9), d(1)], BASES)).toBeUndefined();
    expect(recogniseBase([d(2)], BASES)).toBeUndefined();
    expect(recogniseBase([d(1)], [])).toBeUndefined();
  });
});
