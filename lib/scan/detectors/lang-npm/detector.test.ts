import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import type { ImagePackage } from '../../../core/package.js';
import { detectInputOf } from '../../testing.js';
import { npmDetector } from './detector.js';

function testdata(path: string): Promise<Buffer> {
  return readFile(new URL(`./testdata/${path}`, import.meta.url));
}

async function detect(file: string, path: string) {
  const { input, warnings } = detectInputOf(path, await testdata(file));
  const packages = await npmDetector.detect(input);
  return {
    found: packages.map((p) => `${p.name}@${p.version}`),
    packages,
    warnings,
  };
}

describe('npmDetector.matches', () => {
  it.each([
    ['app/node_modules/debug/package.json', true],
    ['app/node_modules/@types/node/package.json', true],
    ['node_modules/a/node_modules/b/package.json', true],
    ['usr/lib/node_modules/npm/package.json', true],
    ['app/package-lock.json', true],
    ['package-lock.json', true],
    ['app/yarn.lock', true],
    ['app/pnpm-lock.yaml', true],
    ['app/package.json', false],
    ['app/node_modules/.package-lock.json', false],
    ['app/node_modules/debug/package-lock.json', false],
    ['app/node_modules/debug/test/package.json', false],
    ['app/node_modules/@types/package.json', false],
    ['app/node_modules/.bin/package.json', false],
    ['app/my-package-lock.json', false],
    ['app/yarn.lock.bak', false],
  ])('%s -> %s', (path, expected) => {
    expect(npmDetector.matches({ path, sizeBytes: 1, mode: 0o644 })).toBe(
      expected,
    );
  });
});

describe('npmDetector.detect', () => {
  it.each([
    [
      'lock v3 (the test image app)',
      'lock-v3/package-lock.json',
      'app/package-lock.json',
      [
        'debug@2.6.8',
        'is-number@7.0.0',
        'lodash@4.17.15',
        'minimist@1.2.0',
        'ms@2.0.0',
      ],
    ],
    [
      'lock v1, nested, non-registry versions left out',
      'lock-v1/package-lock.json',
      'package-lock.json',
      ['debug@2.6.8', 'ms@2.0.0', '@babel/code-frame@7.0.0', 'ms@2.1.3'],
    ],
    [
      'yarn classic',
      'yarn-classic/yarn.lock',
      'yarn.lock',
      ['@babel/code-frame@7.12.13', 'lodash@4.17.15'],
    ],
    [
      'yarn berry, workspace left out',
      'yarn-berry/yarn.lock',
      'yarn.lock',
      ['@babel/code-frame@7.12.13', 'lodash@4.17.15'],
    ],
    [
      'pnpm v5',
      'pnpm-v5/pnpm-lock.yaml',
      'pnpm-lock.yaml',
      ['@babel/code-frame@7.12.13', 'react-dom@17.0.2'],
    ],
    [
      'pnpm v6',
      'pnpm-v6/pnpm-lock.yaml',
      'pnpm-lock.yaml',
      ['@babel/code-frame@7.12.13', 'react-dom@17.0.2'],
    ],
    [
      'pnpm v9',
      'pnpm-v9/pnpm-lock.yaml',
      'pnpm-lock.yaml',
      ['@babel/code-frame@7.12.13', 'react-dom@17.0.2'],
    ],
    [
      'an installed package',
      'installed/package.json',
      'app/node_modules/@types/node/package.json',
      ['@types/node@20.11.5'],
    ],
  ])('%s', async (_name, file, path, expected) => {
    const { found, warnings } = await detect(file, path);
    expect(found).toEqual(expected);
    expect(warnings).toEqual([]);
  });

  it('names scoped packages in purls with an encoded namespace', async () => {
    const { packages } = await detect(
      'installed/package.json',
      'app/node_modules/@types/node/package.json',
    );
    expect(packages).toEqual([
      {
        ecosystem: 'npm',
        name: '@types/node',
        version: '20.11.5',
        purl: 'pkg:npm/%40types/node@20.11.5',
        license: 'MIT',
      },
    ]);
  });

  it.each([
    [{ license: 'MIT OR Apache-2.0' }, 'MIT OR Apache-2.0'],
    [{ license: { type: 'BSD-3-Clause', url: 'x' } }, 'BSD-3-Clause'],
    [{ licenses: [{ type: 'MIT' }] }, 'MIT'],
    [
      { licenses: [{ type: 'MIT' }, { type: 'GPL-2.0 AND ISC' }] },
      '(MIT) OR (GPL-2.0 AND ISC)',
    ],
    [{ licenses: 'ISC' }, 'ISC'],
    [{ license: '  ' }, undefined],
    [{ license: 42 }, undefined],
    [{}, undefined],
  ])('reads the declared license of %j', async (fields, license) => {
    const { input } = detectInputOf(
      'node_modules/x/package.json',
      JSON.stringify({ name: 'x', version: '1.0.0', ...fields }),
    );
    expect((await npmDetector.detect(input))[0]?.license).toBe(license);
  });

  it('lock entries declare no license', async () => {
    const { packages } = await detect(
      'lock-v3/package-lock.json',
      'app/package-lock.json',
    );
    expect(packages.map((p) => p.license)).toEqual(
      packages.map(() => undefined),
    );
  });

  it.each([
    ['app/node_modules/broken/package.json'],
    ['app/package-lock.json'],
    ['app/pnpm-lock.yaml'],
  ])('invalid: %s warns PACKAGE_DB_INVALID and finds nothing', async (path) => {
    const { found, warnings } = await detect('invalid/package.json', path);
    expect(found).toEqual([]);
    expect(warnings.map((w) => w.code)).toEqual(['PACKAGE_DB_INVALID']);
  });

  it('empty: an empty lock finds nothing and says nothing', async () => {
    const { input, warnings } = detectInputOf('yarn.lock', '');
    expect(await npmDetector.detect(input)).toEqual([]);
    expect(warnings).toEqual([]);
  });
});

describe('npmDetector.reconcile', () => {
  const pkg = (name: string, version: string, path: string): ImagePackage => ({
    ecosystem: 'npm',
    name,
    version,
    purl: `pkg:npm/${name}@${version}`,
    path,
    detector: 'lang/npm',
    layerDigest: `sha256:${'1'.repeat(64)}`,
  });

  it('keeps installed packages and lock entries not installed in the same project', () => {
    const lockDebug = pkg('debug', '2.6.8', 'app/package-lock.json');
    const lockDev = pkg('eslint', '9.0.0', 'app/package-lock.json');
    const installed = pkg(
      'debug',
      '2.6.8',
      'app/node_modules/debug/package.json',
    );
    const otherProject = pkg('debug', '2.6.8', 'other/package-lock.json');
    expect(
      npmDetector.reconcile!([lockDebug, lockDev, installed, otherProject]),
    ).toEqual([lockDev, installed, otherProject]);
  });
});
