import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { detectInputOf, expectScanError } from '../../testing.js';
import { pythonDetector } from './detector.js';

function testdata(path: string): Promise<Buffer> {
  return readFile(new URL(`./testdata/${path}`, import.meta.url));
}

describe('pythonDetector.matches', () => {
  it.each([
    ['usr/lib/python3/dist-packages/requests-2.19.0.dist-info/METADATA', true],
    [
      'usr/local/lib/python3.11/site-packages/six-1.16.0.dist-info/METADATA',
      true,
    ],
    [
      'usr/lib/python3/dist-packages/zope.interface-5.4.0.egg-info/PKG-INFO',
      true,
    ],
    ['usr/lib/python3/dist-packages/pyxdg-0.28.egg-info', true],
    [
      'usr/lib/python2.7/site-packages/foo-1.0-py2.7.egg/EGG-INFO/PKG-INFO',
      true,
    ],
    ['usr/lib/python3/dist-packages/requests-2.19.0.dist-info/RECORD', false],
    [
      'usr/lib/python3/dist-packages/requests-2.19.0.dist-info/METADATA.bak',
      false,
    ],
    ['app/METADATA', false],
    ['app/PKG-INFO', false],
  ])('%s -> %s', (path, expected) => {
    expect(pythonDetector.matches({ path, sizeBytes: 1, mode: 0o644 })).toBe(
      expected,
    );
  });
});

describe('pythonDetector.detect', () => {
  it.each([
    [
      'normal/METADATA',
      'requests',
      '2.19.0',
      'pkg:pypi/requests@2.19.0',
      'Apache 2.0',
    ],
    [
      'egg/PKG-INFO',
      'zope.interface',
      '5.4.0',
      'pkg:pypi/zope-interface@5.4.0',
      undefined,
    ],
  ])('%s', async (file, name, version, purl, license) => {
    const { input, warnings } = detectInputOf(
      'x.dist-info/METADATA',
      await testdata(file),
    );
    expect(await pythonDetector.detect(input)).toEqual([
      { ecosystem: 'PyPI', name, version, purl, license },
    ]);
    expect(warnings).toEqual([]);
  });

  it.each([
    [
      'License-Expression first',
      'expression/METADATA',
      'Apache-2.0 OR BSD-2-Clause',
    ],
    [
      'the License :: classifiers when License says nothing',
      'classifiers/METADATA',
      'LGPLv2+ AND MIT License',
    ],
    [
      'the classifiers when License is the license text',
      'license-text/METADATA',
      'MIT License',
    ],
  ])('license: %s', async (_what, file, license) => {
    const { input } = detectInputOf(
      'x.dist-info/METADATA',
      await testdata(file),
    );
    expect((await pythonDetector.detect(input))[0]?.license).toBe(license);
  });

  it.each([['invalid/METADATA'], ['empty/METADATA']])(
    '%s: warns PACKAGE_DB_INVALID and finds nothing',
    async (file) => {
      const { input, warnings } = detectInputOf(
        'x.dist-info/METADATA',
        await testdata(file),
      );
      expect(await pythonDetector.detect(input)).toEqual([]);
      expect(warnings.map((w) => w.code)).toEqual(['PACKAGE_DB_INVALID']);
    },
  );

  it('over-limit: metadata over maxFileBytes fails with EXTRACT_LIMIT_EXCEEDED', async () => {
    const { input } = detectInputOf(
      'x.dist-info/METADATA',
      await testdata('normal/METADATA'),
      {
        maxFileBytes: 16,
      },
    );
    await expectScanError(
      pythonDetector.detect(input),
      'EXTRACT_LIMIT_EXCEEDED',
    );
  });
});
