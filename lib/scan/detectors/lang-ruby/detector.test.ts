import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { detectInputOf } from '../../testing.js';
import { rubyDetector } from './detector.js';

function testdata(path: string): Promise<Buffer> {
  return readFile(new URL(`./testdata/${path}`, import.meta.url));
}

describe('rubyDetector.matches', () => {
  it.each([
    ['usr/local/bundle/specifications/rack-2.2.3.gemspec', true],
    ['var/lib/gems/3.1.0/specifications/default/json-2.6.1.gemspec', true],
    ['var/lib/gems/3.1.0/specifications/a/b/json-2.6.1.gemspec', false],
    ['var/lib/gems/3.1.0/specifications/json-2.6.1.gemspec', true],
    ['app/rack.gemspec', false],
    ['usr/local/bundle/specifications/rack-2.2.3.gemspec.bak', false],
  ])('%s -> %s', (path, expected) => {
    expect(rubyDetector.matches({ path, sizeBytes: 1, mode: 0o644 })).toBe(
      expected,
    );
  });
});

describe('rubyDetector.detect', () => {
  it.each([
    ['normal/rack-2.2.3.gemspec', 'rack', '2.2.3', 'MIT'],
    ['old/json-1.8.6.gemspec', 'json', '1.8.6', undefined],
  ])('%s', async (file, name, version, license) => {
    const { input, warnings } = detectInputOf(
      `specifications/${file}`,
      await testdata(file),
    );
    expect(await rubyDetector.detect(input)).toEqual([
      {
        ecosystem: 'RubyGems',
        name,
        version,
        purl: `pkg:gem/${name}@${version}`,
        license,
      },
    ]);
    expect(warnings).toEqual([]);
  });

  it.each([
    ['s.license = "BSD-2-Clause"', 'BSD-2-Clause'],
    [
      's.licenses = ["Ruby".freeze, "BSD-2-Clause".freeze]',
      'Ruby AND BSD-2-Clause',
    ],
    ['s.licenses = []', undefined],
  ])('reads the licenses of %s', async (line, license) => {
    const { input } = detectInputOf(
      'specifications/x-1.0.gemspec',
      Buffer.from(
        `Gem::Specification.new do |s|\n  s.name = "x"\n  s.version = "1.0"\n  ${line}\nend\n`,
      ),
    );
    expect((await rubyDetector.detect(input))[0]?.license).toBe(license);
  });

  it.each([['invalid/broken.gemspec'], ['empty']])(
    '%s: warns PACKAGE_DB_INVALID and finds nothing',
    async (file) => {
      const bytes = file === 'empty' ? Buffer.alloc(0) : await testdata(file);
      const { input, warnings } = detectInputOf(
        'specifications/x.gemspec',
        bytes,
      );
      expect(await rubyDetector.detect(input)).toEqual([]);
      expect(warnings.map((w) => w.code)).toEqual(['PACKAGE_DB_INVALID']);
    },
  );
});
