/**
 * lang/go on build information written by the real Go toolchain (Debian's
 * go 1.19: testdata/customs-hello.buildinfo.elf is `objcopy
 * --only-section=.go.buildinfo` of a `go build` binary whose only dependency
 * is replaced by a local directory), and on ELF files built here for the
 * pre-1.18 pointer format and the section-less search.
 */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { detectInputOf } from '../../testing.js';
import { readGoBuildInfo } from './buildinfo.js';
import { goDetector, modulesOf } from './detector.js';

const MODINFO = [
  'path\texample.com/app',
  'mod\texample.com/app\tv1.0.0\th1:abc=',
  'dep\tgithub.com/google/uuid\tv1.3.0\th1:def=',
  'dep\tgolang.org/x/net\tv0.7.0\th1:ghi=',
  '=>\tgolang.org/x/net\tv0.17.0\th1:jkl=',
  'dep\texample.com/local\tv0.0.0',
  '=>\t./local\t(devel)\t',
  'build\tCGO_ENABLED=0',
].join('\n');

/** A little-endian ELF64 with one writable PT_LOAD segment holding `data` at vaddr 0x10000. */
function elfWithSegment(data: Buffer): Buffer {
  const header = Buffer.alloc(64);
  Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]).copy(header);
  header.writeBigUInt64LE(64n, 0x20); // e_phoff
  header.writeUInt16LE(56, 0x36); // e_phentsize
  header.writeUInt16LE(1, 0x38); // e_phnum
  const ph = Buffer.alloc(56);
  ph.writeUInt32LE(1, 0); // PT_LOAD
  ph.writeUInt32LE(6, 4); // R+W
  ph.writeBigUInt64LE(128n, 8); // p_offset
  ph.writeBigUInt64LE(0x10000n, 16); // p_vaddr
  ph.writeBigUInt64LE(BigInt(data.length), 32); // p_filesz
  return Buffer.concat([header, ph, Buffer.alloc(8), data]);
}

/** Go < 1.18: the header holds pointers to string headers {ptr, len}. */
function pointerFormatElf(version: string, mod: string): Buffer {
  const data = Buffer.alloc(256 + version.length + mod.length);
  Buffer.from('\xff Go buildinf:', 'latin1').copy(data, 0);
  data[14] = 8; // pointer size
  data[15] = 0; // little-endian, pointer format
  data.writeBigUInt64LE(0x10000n + 64n, 16); // -> version string header
  data.writeBigUInt64LE(0x10000n + 80n, 24); // -> modinfo string header
  data.writeBigUInt64LE(0x10000n + 256n, 64);
  data.writeBigUInt64LE(BigInt(version.length), 72);
  data.writeBigUInt64LE(0x10000n + 256n + BigInt(version.length), 80);
  data.writeBigUInt64LE(BigInt(mod.length), 88);
  data.write(version, 256, 'latin1');
  data.write(mod, 256 + version.length, 'latin1');
  return elfWithSegment(data);
}

function sentinelled(mod: string): string {
  return `${'0'.repeat(16)}${mod}\n${'1'.repeat(15)}`.padEnd(
    mod.length + 33,
    'x',
  );
}

describe('goDetector.matches', () => {
  it.each([
    [0o755, 2_000_000, true],
    [0o700, 2_000_000, true],
    [0o644, 2_000_000, false],
    [0o755, 100, false],
  ])('mode %o, %i bytes -> %s', (mode, sizeBytes, expected) => {
    expect(
      goDetector.matches({ path: 'usr/local/bin/app', sizeBytes, mode }),
    ).toBe(expected);
  });
});

describe('goDetector.detect', () => {
  it('reads a real Go 1.19 binary: a locally replaced dependency is no module, stdlib is', async () => {
    const bytes = await readFile(
      new URL('./testdata/customs-hello.buildinfo.elf', import.meta.url),
    );
    const { input, warnings } = detectInputOf(
      'usr/local/bin/customs-hello',
      bytes,
    );
    expect(await goDetector.detect(input)).toEqual([
      {
        ecosystem: 'Go',
        name: 'stdlib',
        version: '1.19.8',
        purl: 'pkg:golang/stdlib@1.19.8',
      },
    ]);
    expect(readGoBuildInfo(bytes)?.modInfo).toContain(
      'dep\texample.com/greet\tv1.2.3',
    );
    expect(warnings).toEqual([]);
  });

  it('reads the pre-1.18 pointer format through the segments', async () => {
    const { input } = detectInputOf(
      'app',
      pointerFormatElf('go1.16.15', sentinelled(MODINFO)),
    );
    expect(
      (await goDetector.detect(input)).map((p) => `${p.name}@${p.version}`),
    ).toEqual([
      'example.com/app@v1.0.0',
      'github.com/google/uuid@v1.3.0',
      'golang.org/x/net@v0.17.0',
      'stdlib@1.16.15',
    ]);
  });

  it.each([
    ['a shell script', Buffer.from('#!/bin/sh\necho hi\n'.repeat(100))],
    ['an ELF without build information', elfWithSegment(Buffer.alloc(4096))],
    [
      'a truncated ELF header',
      Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0]),
    ],
    [
      'an ELF whose pointers lead nowhere',
      pointerFormatElf('go1.16', 'x').subarray(0, 200),
    ],
  ])('%s has no Go modules and no warning', async (_name, bytes) => {
    const { input, warnings } = detectInputOf('bin/x', bytes);
    expect(await goDetector.detect(input)).toEqual([]);
    expect(warnings).toEqual([]);
  });
});

describe('modulesOf', () => {
  it('applies replacements and drops unversioned modules', () => {
    expect(modulesOf(MODINFO)).toEqual([
      { path: 'example.com/app', version: 'v1.0.0' },
      { path: 'github.com/google/uuid', version: 'v1.3.0' },
      { path: 'golang.org/x/net', version: 'v0.17.0' },
    ]);
  });

  it('names purls by namespace and name', async () => {
    const { input } = detectInputOf(
      'app',
      pointerFormatElf('go1.16.15', sentinelled(MODINFO)),
    );
    expect((await goDetector.detect(input))[1]?.purl).toBe(
      'pkg:golang/github.com/google/uuid@v1.3.0',
    );
  });
});
