import { describe, expect, it } from 'vitest';
import { ScanError } from '../../core/errors.js';
import {
  assertSymlinkInside,
  joinPath,
  normalizeEntryPath,
  splitPath,
} from './paths.js';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (err: unknown) {
    return err instanceof ScanError ? err.code : 'not a ScanError';
  }
}

describe('normalizeEntryPath', () => {
  it.each([
    ['etc/os-release', 'etc/os-release'],
    ['./etc/os-release', 'etc/os-release'],
    ['./usr//lib/./x/', 'usr/lib/x'],
    ['./', ''],
    ['.', ''],
    ['a\\b', 'a\\b'],
  ])('%j -> %j', (raw, expected) => {
    expect(normalizeEntryPath(raw)).toBe(expected);
  });

  it.each([
    '/etc/passwd',
    '../etc/passwd',
    'a/../../b',
    'a/../b',
    '..',
    './..',
    'a/..',
  ])('rejects %j with EXTRACT_PATH_ESCAPE', (raw) => {
    expect(codeOf(() => normalizeEntryPath(raw))).toBe('EXTRACT_PATH_ESCAPE');
  });
});

describe('assertSymlinkInside', () => {
  it.each([
    ['etc/os-release', '../usr/lib/os-release'],
    ['bin', 'usr/bin'],
    ['etc/alternatives/awk', '/usr/bin/mawk'],
    ['a/b/c', '../../x'],
    ['a/b/c', './../../x/../y'],
    ['a', '.'],
  ])('accepts %s -> %s', (link, target) => {
    expect(codeOf(() => assertSymlinkInside(link, target))).toBeUndefined();
  });

  it.each([
    ['etc/passwd-link', '../../etc/passwd'],
    ['a', '..'],
    ['a/b/c', '../../../x'],
    ['a/b', 'x/../../../y'],
    ['a', '/../etc/passwd'],
    ['a/b', '/x/../../y'],
  ])('rejects %s -> %s with EXTRACT_PATH_ESCAPE', (link, target) => {
    expect(codeOf(() => assertSymlinkInside(link, target))).toBe(
      'EXTRACT_PATH_ESCAPE',
    );
  });
});

describe('splitPath and joinPath', () => {
  it('split a path into directory and name and back', () => {
    expect(splitPath('a/b/c')).toEqual(['a/b', 'c']);
    expect(splitPath('c')).toEqual(['', 'c']);
    expect(joinPath('a/b', 'c')).toBe('a/b/c');
    expect(joinPath('', 'c')).toBe('c');
  });
});
