import { describe, expect, it } from 'vitest';
import type { Digest } from '../../core/digest.js';
import { gatherEvidence } from './layer-evidence.js';
import type { LayerRecord } from './layer-record.js';

const d = (n: number) => `sha256:${String(n).repeat(64)}` as Digest;
const stats = {
  entries: 0,
  compressedBytes: 0,
  uncompressedBytes: 0,
};
const record = (over: Partial<LayerRecord>): LayerRecord => ({
  entries: [],
  warnings: [],
  stats,
  ...over,
});
const setuid = (path: string) => ({
  kind: 'setuid' as const,
  path,
  mode: 0o4755,
});

describe('gatherEvidence', () => {
  it('keeps flags of files still in the final image only', () => {
    const layers = [
      {
        digest: d(1),
        record: record({
          flags: [
            setuid('usr/bin/a'),
            setuid('usr/bin/b'),
            setuid('opt/x/c'),
            setuid('srv/d'),
          ],
        }),
      },
      {
        digest: d(2),
        record: record({
          entries: [
            { type: 'whiteout', path: 'usr/bin/a' },
            { type: 'opaque', path: 'opt/x' },
            { type: 'other', path: 'srv/d' },
          ],
          flags: [setuid('srv/d')],
        }),
      },
    ];
    expect(
      gatherEvidence(layers).flags.map((f) => [f.path, f.layerDigest]),
    ).toEqual([
      ['usr/bin/b', d(1)],
      ['srv/d', d(2)],
    ]);
  });

  it('adds up malware: one unavailable layer makes the image unavailable', () => {
    const m = (clamav: 'scanned' | 'unavailable' | 'off') => ({
      findings: [],
      clamav,
      hashLists: true,
    });
    const of = (...states: Array<'scanned' | 'unavailable' | 'off'>) =>
      gatherEvidence(
        states.map((s, i) => ({
          digest: d(i + 1),
          record: record({ malware: m(s) }),
        })),
      ).malware;
    expect(of('scanned', 'scanned')).toEqual({
      clamav: 'scanned',
      hashLists: true,
      findings: [],
    });
    expect(of('scanned', 'unavailable')?.clamav).toBe('unavailable');
    expect(of('off', 'off')?.clamav).toBe('off');
    expect(gatherEvidence([{ digest: d(1), record: record({}) }])).toEqual({
      secrets: [],
      flags: [],
    });
  });
});
