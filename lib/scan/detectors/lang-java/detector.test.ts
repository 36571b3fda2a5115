/** lang/java over archives built with the JDK's jar tool (testdata/make-testdata.sh). */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { detectInputOf } from '../../testing.js';
import { ARCHIVE_LIMITS } from './archive.js';
import { javaDetector } from './detector.js';

function testdata(path: string): Promise<Buffer> {
  return readFile(new URL(`./testdata/${path}`, import.meta.url));
}

async function detect(file: string, path = `app/${file}`) {
  const { input, warnings } = detectInputOf(path, await testdata(file));
  const packages = await javaDetector.detect(input);
  return {
    found: packages.map((p) => `${p.name}@${p.version} ${p.path ?? ''}`),
    packages,
    warnings,
  };
}

describe('javaDetector.matches', () => {
  it.each([
    ['app/lib/commons-io-2.11.0.jar', true],
    ['opt/app.WAR', true],
    ['opt/app.ear', true],
    ['opt/app.jar.sha1', false],
    ['opt/jarfile', false],
  ])('%s -> %s', (path, expected) => {
    expect(javaDetector.matches({ path, sizeBytes: 1, mode: 0o644 })).toBe(
      expected,
    );
  });
});

describe('javaDetector.detect', () => {
  it.each([
    [
      'customs-lib-1.4.2.jar',
      ['org.example.customs:customs-lib@1.4.2 app/customs-lib-1.4.2.jar'],
    ],
    [
      'manifest-only.jar',
      ['org.example.legacy:legacy-tool@0.9.1 app/manifest-only.jar'],
    ],
    [
      'shaded.jar',
      [
        'com.google.guava:guava@32.1.2-jre app/shaded.jar',
        'org.slf4j:slf4j-api@2.0.9 app/shaded.jar',
      ],
    ],
    [
      'app.war',
      [
        'org.example.customs:customs-web@2.0.0 app/app.war',
        'org.example.customs:customs-lib@1.4.2 app/app.war!/WEB-INF/lib/customs-lib-1.4.2.jar',
      ],
    ],
  ])('%s', async (file, expected) => {
    const { found, warnings } = await detect(file);
    expect([...found].sort()).toEqual([...expected].sort());
    expect(warnings).toEqual([]);
  });

  it('names packages with group:artifact and a maven purl', async () => {
    const { packages } = await detect('customs-lib-1.4.2.jar');
    expect(packages).toEqual([
      {
        ecosystem: 'Maven',
        name: 'org.example.customs:customs-lib',
        version: '1.4.2',
        purl: 'pkg:maven/org.example.customs/customs-lib@1.4.2',
        path: 'app/customs-lib-1.4.2.jar',
        license: 'Apache-2.0',
      },
    ]);
  });

  it.each([
    ['customs-lib-1.4.2.jar', ['Apache-2.0']],
    ['manifest-only.jar', ['MIT AND EPL-2.0']],
    // An uber jar's manifest says nothing of the artifacts in it.
    ['shaded.jar', [undefined, undefined]],
    // The nested jar's own manifest; the war declares none.
    ['app.war', ['Apache-2.0', undefined]],
  ])('reads the Bundle-License of %s', async (file, licenses) => {
    const { packages } = await detect(file);
    expect(
      [...packages]
        .sort((a, b) => a.name.localeCompare(b.name))
        .map((p) => p.license),
    ).toEqual(licenses);
  });

  it.each([['truncated.jar'], ['make-testdata.sh']])(
    'invalid: %s is a warning, never a failure',
    async (file) => {
      const { found, warnings } = await detect(file, 'app/x.jar');
      expect(found).toEqual([]);
      expect(warnings.map((w) => w.code)).toEqual(['PACKAGE_DB_INVALID']);
    },
  );

  it('over-limit: a nested archive over the limit makes the archive a warning', async () => {
    const saved = ARCHIVE_LIMITS.maxNestedBytes;
    ARCHIVE_LIMITS.maxNestedBytes = 100;
    try {
      const { found, warnings } = await detect('app.war');
      expect(found).toEqual([]);
      expect(warnings.map((w) => w.code)).toEqual(['PACKAGE_DB_INVALID']);
    } finally {
      ARCHIVE_LIMITS.maxNestedBytes = saved;
    }
  });
});
