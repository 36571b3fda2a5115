import { describe, expect, it } from 'vitest';
import type { Digest } from '../../core/digest.js';
import type { LayerFile } from '../detectors/types.js';
import { expectScanError } from '../testing.js';
import type { LayerEntry } from './extract.js';
import { MergedView } from './merged-view.js';

const L1 = `sha256:${'1'.repeat(64)}` as Digest;
const L2 = `sha256:${'2'.repeat(64)}` as Digest;
const wantsAll = (): boolean => true;

function file(path: string, content = path): LayerEntry {
  return {
    type: 'file',
    file: { path, sizeBytes: content.length, mode: 0o644 },
    content: Buffer.from(content),
  };
}

function link(path: string, target: string): LayerEntry {
  return { type: 'symlink', path, target };
}

/** Applies layers of entries, bottom to top, and returns the view. */
function viewOf(
  layers: LayerEntry[][],
  options: { maxSymlinkDepth?: number; wants?: (f: LayerFile) => boolean } = {},
): MergedView {
  const view = new MergedView(options.maxSymlinkDepth ?? 8);
  layers.forEach((entries, i) => {
    const changes = view.beginLayer(
      i === 0 ? L1 : L2,
      options.wants ?? wantsAll,
    );
    for (const entry of entries) changes.apply(entry);
    changes.commit();
  });
  return view;
}

function paths(view: MergedView): string[] {
  return view
    .files()
    .map((f) => `${f.file.path}@${f.layerDigest === L1 ? 1 : 2}`);
}

describe('MergedView whiteouts (OCI layer.md)', () => {
  it('a whiteout deletes a lower file, and a lower directory with everything under it', () => {
    const view = viewOf([
      [file('a/keep'), file('a/gone'), file('d/x/y'), file('d/z')],
      [
        { type: 'whiteout', path: 'a/gone' },
        { type: 'whiteout', path: 'd' },
      ],
    ]);
    expect(paths(view)).toEqual(['a/keep@1']);
  });

  it('an opaque directory hides the lower content but keeps its own layer, wherever the marker is', () => {
    const view = viewOf([
      [file('etc/a'), file('etc/sub/b'), file('other/c')],
      [file('etc/new1'), { type: 'opaque', path: 'etc' }, file('etc/new2')],
    ]);
    expect(paths(view)).toEqual(['etc/new1@2', 'etc/new2@2', 'other/c@1']);
  });

  it('an opaque root hides every lower entry', () => {
    expect(
      paths(
        viewOf([
          [file('a'), file('b/c')],
          [{ type: 'opaque', path: '' }, file('d')],
        ]),
      ),
    ).toEqual(['d@2']);
  });

  it('a whiteout never affects entries of its own layer', () => {
    const view = viewOf([
      [file('x', 'old')],
      [file('x', 'new'), { type: 'whiteout', path: 'x' }],
    ]);
    expect(view.files().map((f) => f.content?.toString())).toEqual(['new']);
  });

  it('an entry replaces what lower layers had at its path', () => {
    const view = viewOf([
      [
        file('f-to-dir'),
        file('dir-to-file/x'),
        file('dir-to-link/x'),
        file('to-unwanted'),
        file('to-fifo'),
      ],
      [
        { type: 'directory', path: 'f-to-dir' },
        {
          type: 'file',
          file: { path: 'dir-to-file', sizeBytes: 0, mode: 0 },
          content: undefined,
        },
        link('dir-to-link', 'elsewhere'),
        {
          type: 'file',
          file: { path: 'to-unwanted', sizeBytes: 0, mode: 0 },
          content: undefined,
        },
        { type: 'other', path: 'to-fifo' },
      ],
    ]);
    expect(view.files()).toEqual([]);
  });

  it('a directory entry over a lower directory keeps its content', () => {
    expect(
      paths(viewOf([[file('etc/a')], [{ type: 'directory', path: 'etc' }]])),
    ).toEqual(['etc/a@1']);
  });

  it('later entries of one layer replace earlier ones at the same path', () => {
    const view = viewOf([
      [
        file('x', 'first'),
        file('x', 'second'),
        file('y'),
        { type: 'directory', path: 'y' },
      ],
    ]);
    expect(
      view.files().map((f) => `${f.file.path}=${f.content?.toString()}`),
    ).toEqual(['x=second']);
  });
});

describe('MergedView hardlinks', () => {
  it('shares the content of a kept file of the same or a lower layer', () => {
    const view = viewOf([
      [file('a', 'A')],
      [
        file('b', 'B'),
        { type: 'hardlink', path: 'b2', target: 'b', mode: 0o600 },
        { type: 'hardlink', path: 'a2', target: 'a', mode: 0o644 },
      ],
    ]);
    expect(
      view
        .files()
        .map(
          (f) =>
            `${f.file.path}=${f.content?.toString()}@${f.layerDigest === L1 ? 1 : 2}`,
        ),
    ).toEqual(['a=A@1', 'a2=A@2', 'b=B@2', 'b2=B@2']);
    expect(view.fs.stat('b2')).toEqual({
      path: 'b2',
      sizeBytes: 1,
      mode: 0o600,
    });
  });

  it('warns when a wanted path hardlinks to content that was not kept', () => {
    const view = new MergedView(8);
    const changes = view.beginLayer(
      L1,
      (f) => f.path === 'var/lib/dpkg/status',
    );
    changes.apply({
      type: 'file',
      file: { path: 'var/lib/dpkg/status-old', sizeBytes: 9, mode: 0o644 },
      content: undefined,
    });
    changes.apply({
      type: 'hardlink',
      path: 'var/lib/dpkg/status',
      target: 'var/lib/dpkg/status-old',
      mode: 0o644,
    });
    changes.apply({
      type: 'hardlink',
      path: 'unwanted',
      target: 'var/lib/dpkg/status-old',
      mode: 0o644,
    });
    changes.commit();
    expect(changes.warnings).toEqual([
      {
        source: 'layers',
        code: 'HARDLINK_TARGET_UNAVAILABLE',
        message: 'hardlinked file content was not kept',
        path: 'var/lib/dpkg/status',
        layerDigest: L1,
        details: { target: 'var/lib/dpkg/status-old' },
      },
    ]);
    expect(view.files()).toEqual([]);
  });
});

describe('MergedView.fs', () => {
  const view = viewOf([
    [
      file('usr/lib/os-release', 'ID=debian\n'),
      link('etc/os-release', '../usr/lib/os-release'),
      link('lib', 'usr/lib'),
      link('abs', '/usr/lib/os-release'),
      link('lib64', '/lib'),
      link('up', '../../../usr'),
      link('loop1', 'loop2'),
      link('loop2', 'loop1'),
      link('dangling', 'nowhere/x'),
      file('usr/share/f'),
      link('usr/share/to-parent-of-lib', '../../lib/../share/f'),
    ],
  ]);

  it.each([
    ['usr/lib/os-release', 'usr/lib/os-release'],
    ['etc/os-release', 'usr/lib/os-release'],
    ['lib/os-release', 'usr/lib/os-release'],
    ['lib64/os-release', 'usr/lib/os-release'],
    ['abs', 'usr/lib/os-release'],
    ['/etc/os-release', 'usr/lib/os-release'],
    ['./etc//os-release', 'usr/lib/os-release'],
    ['../../etc/os-release', 'usr/lib/os-release'],
    ['up/lib/os-release', 'usr/lib/os-release'],
    ['usr/share/to-parent-of-lib', 'usr/share/f'],
    ['dangling', undefined],
    ['usr/lib', undefined],
    ['usr/lib/os-release/x', undefined],
    ['missing', undefined],
  ])('resolves %s to %s', (path, expected) => {
    expect(view.fs.stat(path)?.path).toBe(expected);
  });

  it('reads content through symlinks', async () => {
    expect((await view.fs.readFile('etc/os-release'))?.toString()).toBe(
      'ID=debian\n',
    );
    expect(await view.fs.readFile('missing')).toBeUndefined();
  });

  it('stops a symlink loop at maxSymlinkDepth', async () => {
    await expectScanError(view.fs.readFile('loop1'), 'EXTRACT_LIMIT_EXCEEDED', {
      limit: 'maxSymlinkDepth',
      value: 8,
    });
  });

  it('follows exactly maxSymlinkDepth links', () => {
    const chain = Array.from({ length: 3 }, (_, i) =>
      link(`l${i}`, i === 2 ? 'target' : `l${i + 1}`),
    );
    const shallow = viewOf([[file('target'), ...chain]], {
      maxSymlinkDepth: 3,
    });
    expect(shallow.fs.stat('l0')?.path).toBe('target');
    const tooShallow = viewOf([[file('target'), ...chain]], {
      maxSymlinkDepth: 2,
    });
    expect(() => tooShallow.fs.stat('l0')).toThrow(/maxSymlinkDepth/);
  });
});
