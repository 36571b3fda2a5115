import { describe, expect, it } from 'vitest';
import type { Advisory } from '../core/advisory.js';
import { lookupKeyFor, matchPackage } from './match.js';
import { baseEcosystem, normalizePackageName } from './names.js';

describe('normalizePackageName', () => {
  it.each([
    ['PyPI', 'Foo_Bar', 'foo-bar'],
    ['PyPI', 'zope.interface', 'zope-interface'],
    ['PyPI', 'Django--Rest__framework', 'django-rest-framework'],
    ['crates.io', 'Serde_JSON', 'serde-json'],
    ['NuGet', 'Newtonsoft.Json', 'newtonsoft.json'],
    ['Packagist', 'Symfony/HTTP-Kernel', 'symfony/http-kernel'],
    [
      'Maven',
      'org.apache.logging.log4j : log4j-core',
      'org.apache.logging.log4j:log4j-core',
    ],
    [
      'Maven',
      'org.apache.logging.log4j/log4j-core',
      'org.apache.logging.log4j:log4j-core',
    ],
    ['Maven', 'Org.Foo:Bar', 'Org.Foo:Bar'],
    ['npm', 'JSONStream', 'JSONStream'],
    ['npm', '@Scope/pkg ', '@Scope/pkg'],
    ['Debian:12', 'libssl3', 'libssl3'],
  ])('normalises %s name %j to %j', (ecosystem, name, want) => {
    expect(normalizePackageName(ecosystem, name)).toBe(want);
  });
});

describe('baseEcosystem', () => {
  it('is the part before the first colon', () => {
    expect(baseEcosystem('Debian:12')).toBe('Debian');
    expect(baseEcosystem('Red Hat:enterprise_linux:9')).toBe('Red Hat');
    expect(baseEcosystem('npm')).toBe('npm');
  });
});

describe('normalised names in matching', () => {
  it('matches a PyPI package spelled another way than its advisory', () => {
    const installed = {
      ecosystem: 'PyPI',
      name: 'Requests_OAuthlib',
      version: '1.0.0',
    };
    const advisory: Advisory = {
      id: 'PYSEC-1',
      source: 'osv',
      modified: '2024-01-01T00:00:00Z',
      aliases: [],
      related: [],
      severity: [],
      affected: [
        {
          ecosystem: 'PyPI',
          name: 'requests-oauthlib',
          versions: [],
          ranges: [
            {
              type: 'ECOSYSTEM',
              events: [{ introduced: '0' }, { fixed: '1.1.0' }],
            },
          ],
        },
      ],
    };
    expect(lookupKeyFor(installed).name).toBe('requests-oauthlib');
    expect(
      matchPackage(installed, [advisory]).map((f) => f.advisoryId),
    ).toEqual(['PYSEC-1']);
  });
});
