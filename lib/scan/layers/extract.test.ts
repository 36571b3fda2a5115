/**
 * extractLayer: entries and the path rules, on tars built here (hostile ones
 * included). Stream-level behaviour is in extract-stream.test.ts.
 */
import { describe, expect, it } from 'vitest';
import type { ScanErrorCode } from '../../core/errors.js';
import { MediaTypes } from '../../core/media-types.js';
import type { LayerFile } from '../detectors/types.js';
import { expectScanError } from '../testing.js';
import { extractLayer, type LayerEntry } from './extract.js';
import type { ExtractLimits } from './limits.js';
import {
  buildTar,
  gzip,
  paxEntry,
  streamOf,
  type TarSpec,
} from './test-tar.js';

const LIMITS: ExtractLimits = {
  maxLayerBytes: 64 * 1024 ** 2,
  maxFileBytes: 1024 ** 2,
  maxEntries: 1000,
  maxSymlinkDepth: 8,
};
const WANTED = new Set(['etc/os-release', 'var/lib/dpkg/status', 'big/wanted']);

/** Walks `tar` (gzipped, as most layers are) and collects its entries. */
async function walk(
  tar: Buffer,
  limits: Partial<ExtractLimits> = {},
): Promise<LayerEntry[]> {
  const entries: LayerEntry[] = [];
  await extractLayer(streamOf(gzip(tar)), {
    mediaType: MediaTypes.ociLayerGzip,
    limits: { ...LIMITS, ...limits },
    signal: new AbortController().signal,
    wants: (file: LayerFile) => WANTED.has(file.path),
    onEntry: (entry) => entries.push(entry),
  });
  return entries;
}

describe('extractLayer entries', () => {
  it('emits every entry in archive order, with content only for wanted files', async () => {
    const tar = buildTar([
      { type: 'dir', path: './' },
      { type: 'dir', path: './etc/' },
      { type: 'file', path: './etc/os-release', content: 'ID=debian\n' },
      {
        type: 'file',
        path: './etc/passwd',
        content: 'root:x:0:0::/root:/bin/sh\n',
        mode: 0o600,
      },
      { type: 'symlink', path: './bin', target: 'usr/bin' },
      {
        type: 'symlink',
        path: './etc/alternatives/awk',
        target: '/usr/bin/mawk',
      },
      { type: 'hardlink', path: './etc/passwd-', target: './etc/passwd' },
      { type: 'raw', typeflag: '6', path: './run/fifo' },
      { type: 'file', path: './var/lib/.wh.dpkg' },
      { type: 'file', path: './opt/.wh..wh..opq' },
      { type: 'hardlink', path: './.wh..wh.plnk/1.2', target: './etc/passwd' },
    ]);
    expect(await walk(tar)).toEqual([
      { type: 'directory', path: 'etc' },
      {
        type: 'file',
        file: { path: 'etc/os-release', sizeBytes: 10, mode: 0o644 },
        content: Buffer.from('ID=debian\n'),
      },
      {
        type: 'file',
        file: { path: 'etc/passwd', sizeBytes: 26, mode: 0o600 },
        content: undefined,
      },
      { type: 'symlink', path: 'bin', target: 'usr/bin' },
      {
        type: 'symlink',
        path: 'etc/alternatives/awk',
        target: '/usr/bin/mawk',
      },
      {
        type: 'hardlink',
        path: 'etc/passwd-',
        target: 'etc/passwd',
        mode: 0o644,
      },
      { type: 'other', path: 'run/fifo' },
      { type: 'whiteout', path: 'var/lib/dpkg' },
      { type: 'opaque', path: 'opt' },
    ]);
  });

  it('takes long paths from pax headers', async () => {
    const long = `a/${'b'.repeat(150)}/var/lib/dpkg/status`;
    const entries = await walk(
      buildTar([{ type: 'file', path: long, content: 'x' }]),
    );
    expect(entries).toEqual([
      {
        type: 'file',
        file: { path: long, sizeBytes: 1, mode: 0o644 },
        content: undefined,
      },
    ]);
  });

  it('keeps the body of a wanted file exactly, across many blocks', async () => {
    const body = Buffer.alloc(300_000, 'abcdefgh');
    const [entry] = await walk(
      buildTar([{ type: 'file', path: 'var/lib/dpkg/status', content: body }]),
    );
    expect(entry).toMatchObject({
      type: 'file',
      file: { path: 'var/lib/dpkg/status', sizeBytes: body.length },
    });
    // Buffer.equals: a deep toEqual walks 300k indices.
    expect(entry?.type === 'file' && entry.content?.equals(body)).toBe(true);
  });

  it('reads an unwanted file bigger than maxFileBytes (it is skipped, not buffered)', async () => {
    const entries = await walk(
      buildTar([
        { type: 'file', path: 'big/unwanted', content: Buffer.alloc(4096) },
      ]),
      { maxFileBytes: 1024 },
    );
    expect(entries).toEqual([
      {
        type: 'file',
        file: { path: 'big/unwanted', sizeBytes: 4096, mode: 0o644 },
        content: undefined,
      },
    ]);
  });
});

describe('extractLayer rejects hostile tars', () => {
  it.each<[string, TarSpec[], ScanErrorCode, Record<string, unknown>]>([
    [
      'a ../ path',
      [{ type: 'file', path: '../etc/passwd', content: 'x' }],
      'EXTRACT_PATH_ESCAPE',
      { path: '../etc/passwd' },
    ],
    [
      'an absolute path',
      [{ type: 'file', path: '/etc/passwd', content: 'x' }],
      'EXTRACT_PATH_ESCAPE',
      { path: '/etc/passwd' },
    ],
    [
      'a .. segment inside',
      [{ type: 'dir', path: 'a/../../b/' }],
      'EXTRACT_PATH_ESCAPE',
      {},
    ],
    [
      'a symlink escaping the root',
      [{ type: 'symlink', path: 'etc/link', target: '../../etc/shadow' }],
      'EXTRACT_PATH_ESCAPE',
      { target: '../../etc/shadow' },
    ],
    [
      'an absolute symlink climbing out',
      [{ type: 'symlink', path: 'link', target: '/../../etc/shadow' }],
      'EXTRACT_PATH_ESCAPE',
      {},
    ],
    [
      'a hardlink escaping the root',
      [{ type: 'hardlink', path: 'x', target: '../etc/shadow' }],
      'EXTRACT_PATH_ESCAPE',
      {},
    ],
    [
      'an absolute hardlink',
      [{ type: 'hardlink', path: 'x', target: '/etc/shadow' }],
      'EXTRACT_PATH_ESCAPE',
      {},
    ],
    [
      'a whiteout of ..',
      [{ type: 'file', path: 'a/.wh...' }],
      'EXTRACT_PATH_ESCAPE',
      {},
    ],
    [
      'a whiteout of nothing',
      [{ type: 'file', path: 'a/.wh.' }],
      'LAYER_CORRUPT',
      {},
    ],
    [
      'a sparse file',
      [{ type: 'raw', typeflag: 'S', path: 'var/lib/dpkg/status' }],
      'LAYER_UNSUPPORTED',
      { entryType: 'SparseFile' },
    ],
    [
      'a wanted file over maxFileBytes',
      [
        {
          type: 'file',
          path: 'big/wanted',
          content: Buffer.alloc(2 * 1024 ** 2),
        },
      ],
      'EXTRACT_LIMIT_EXCEEDED',
      { limit: 'maxFileBytes', path: 'big/wanted' },
    ],
  ])('%s', async (_name, specs, code, details) => {
    await expectScanError(
      walk(buildTar([{ type: 'file', path: 'ok', content: 'fine' }, ...specs])),
      code,
      details,
    );
  });

  it('checks paths that a pax header overrides', async () => {
    const tar = Buffer.concat([
      ...paxEntry({ path: '../../root/.ssh/authorized_keys' }),
      buildTar([{ type: 'file', path: 'innocent', content: 'k' }]),
    ]);
    await expectScanError(walk(tar), 'EXTRACT_PATH_ESCAPE', {
      path: '../../root/.ssh/authorized_keys',
    });
  });

  it('checks link targets that a pax header overrides', async () => {
    const tar = Buffer.concat([
      ...paxEntry({ linkpath: '../../../etc/shadow' }),
      buildTar([{ type: 'symlink', path: 'l', target: 'ok' }]),
    ]);
    await expectScanError(walk(tar), 'EXTRACT_PATH_ESCAPE', {
      target: '../../../etc/shadow',
    });
  });

  it('refuses a pax header over 1 MiB instead of ignoring it', async () => {
    const tar = Buffer.concat([
      ...paxEntry({ comment: 'x'.repeat(1024 ** 2 + 1) }),
      buildTar([{ type: 'file', path: 'f' }]),
    ]);
    await expectScanError(walk(tar), 'EXTRACT_LIMIT_EXCEEDED', {
      limit: 'maxMetaEntryBytes',
    });
  });

  it('refuses a header with a bad checksum', async () => {
    const tar = buildTar([
      { type: 'file', path: 'a', content: 'x' },
      { type: 'file', path: 'b', content: 'y' },
    ]);
    tar[1024] = 'c'.charCodeAt(0); // rename b to c without fixing the checksum
    await expectScanError(walk(tar), 'LAYER_CORRUPT', {
      tarCode: 'TAR_ENTRY_INVALID',
    });
  });
});
