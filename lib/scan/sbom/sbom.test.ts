/**
 * The SBOM writers against the standards: CycloneDX documents are validated
 * with the official CycloneDX 1.6 JSON schema (shipped in the npm package
 * @cyclonedx/cyclonedx-library); SPDX 2.3 has no schema in an npm package,
 * so its constraints (SPDX 2.3 spec, clauses 6, 7 and 11) are written below
 * as a JSON schema plus cross-reference checks.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import type { ImagePackage } from '../../core/package.js';
import { toCycloneDx } from './cyclonedx.js';
import type { SbomImage } from './sbom-image.js';
import { toSpdx } from './spdx.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
const LAYER = `sha256:${'a'.repeat(64)}` as const;
const pkg = (
  p: Partial<ImagePackage> & Pick<ImagePackage, 'name' | 'version' | 'purl'>,
): ImagePackage => ({
  ecosystem: 'npm',
  detector: 'lang/npm',
  path: 'app/node_modules/x/package.json',
  layerDigest: LAYER,
  ...p,
});
const IMAGE: SbomImage = {
  repository: '127.0.0.1:5000/test/app',
  digest: `sha256:${'b'.repeat(64)}`,
  distribution: {
    id: 'debian',
    versionId: '12',
    prettyName: 'Debian GNU/Linux 12 (bookworm)',
  },
  packages: [
    pkg({
      ecosystem: 'Debian:12',
      detector: 'os/dpkg',
      path: 'var/lib/dpkg/status',
      name: 'bsdutils',
      version: '1:2.38.1-5+deb12u3',
      arch: 'amd64',
      sourceName: 'util-linux',
      sourceVersion: '2.38.1-5+deb12u3',
      purl: 'pkg:deb/debian/bsdutils@1:2.38.1-5%2Bdeb12u3?arch=amd64&distro=debian-12',
      license: 'GPL-2+ and BSD-3-clause',
    }),
    pkg({
      name: '@types/node',
      version: '20.11.5',
      purl: 'pkg:npm/%40types/node@20.11.5',
      license: 'MIT',
    }),
    // The same package installed in two places: two components, unique refs.
    pkg({
      name: 'ms',
      version: '2.0.0',
      purl: 'pkg:npm/ms@2.0.0',
      path: 'a/node_modules/ms/package.json',
    }),
    pkg({
      name: 'ms',
      version: '2.0.0',
      purl: 'pkg:npm/ms@2.0.0',
      path: 'b/node_modules/ms/package.json',
    }),
    pkg({
      ecosystem: 'Maven',
      detector: 'lang/java',
      name: 'org.example:lib',
      version: '1.0',
      purl: 'pkg:maven/org.example/lib@1.0',
      license: 'Acme Commercial License',
    }),
  ],
};
const OPTIONS = {
  toolVersion: '0.1.0',
  timestamp: new Date('2026-01-02T03:04:05.678Z'),
  uuid: '3f2504e0-4f89-41d3-9a0c-0305e82c3301',
};

/** The SPDX license ids CycloneDX's schema lists. */
function spdxLicenseIds(): string[] {
  const require = createRequire(import.meta.url);
  const file = join(
    dirname(require.resolve('@cyclonedx/cyclonedx-library/package.json')),
    'res',
    'schema',
    'spdx.SNAPSHOT.schema.json',
  );
  return (JSON.parse(readFileSync(file, 'utf8')) as { enum: string[] }).enum;
}

function cycloneDxValidator() {
  const require = createRequire(import.meta.url);
  const dir = join(
    dirname(require.resolve('@cyclonedx/cyclonedx-library/package.json')),
    'res',
    'schema',
  );
  const load = (name: string, id: string): Record<string, unknown> => ({
    ...(JSON.parse(readFileSync(join(dir, name), 'utf8')) as object),
    $id: id,
  });
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema(
    load(
      'spdx.SNAPSHOT.schema.json',
      'http://cyclonedx.org/schema/spdx.SNAPSHOT.schema.json',
    ),
  );
  ajv.addSchema(
    load(
      'jsf-0.82.SNAPSHOT.schema.json',
      'http://cyclonedx.org/schema/jsf-0.82.SNAPSHOT.schema.json',
    ),
  );
  return ajv.compile(
    load(
      'bom-1.6.SNAPSHOT.schema.json',
      'http://cyclonedx.org/schema/bom-1.6.schema.json',
    ),
  );
}

/** SPDX 2.3 JSON constraints (spec clauses 6 document, 7 package, 11 relationships). */
const SPDX_23 = {
  type: 'object',
  required: [
    'spdxVersion',
    'dataLicense',
    'SPDXID',
    'name',
    'documentNamespace',
    'creationInfo',
    'packages',
    'relationships',
  ],
  properties: {
    spdxVersion: { const: 'SPDX-2.3' },
    dataLicense: { const: 'CC0-1.0' },
    SPDXID: { const: 'SPDXRef-DOCUMENT' },
    name: { type: 'string', minLength: 1 },
    documentNamespace: { type: 'string', format: 'uri', pattern: '^[^#]+$' },
    creationInfo: {
      type: 'object',
      required: ['created', 'creators'],
      properties: {
        created: {
          type: 'string',
          pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z$',
        },
        creators: {
          type: 'array',
          minItems: 1,
          items: { type: 'string', pattern: '^(Tool|Organization|Person): .+' },
        },
      },
    },
    packages: {
      type: 'array',
      items: {
        type: 'object',
        required: ['SPDXID', 'name', 'downloadLocation'],
        properties: {
          SPDXID: { type: 'string', pattern: '^SPDXRef-[A-Za-z0-9.-]+$' },
          name: { type: 'string', minLength: 1 },
          downloadLocation: { type: 'string', minLength: 1 },
          filesAnalyzed: { type: 'boolean' },
          primaryPackagePurpose: {
            enum: [
              'APPLICATION',
              'FRAMEWORK',
              'LIBRARY',
              'CONTAINER',
              'OPERATING-SYSTEM',
              'DEVICE',
              'FIRMWARE',
              'SOURCE',
              'ARCHIVE',
              'FILE',
              'INSTALL',
              'OTHER',
            ],
          },
          externalRefs: {
            type: 'array',
            items: {
              type: 'object',
              required: [
                'referenceCategory',
                'referenceType',
                'referenceLocator',
              ],
              properties: {
                referenceCategory: {
                  enum: [
                    'SECURITY',
                    'PACKAGE-MANAGER',
                    'PERSISTENT-ID',
                    'OTHER',
                  ],
                },
                referenceLocator: { type: 'string', pattern: '^\\S+$' },
              },
            },
          },
        },
      },
    },
    relationships: {
      type: 'array',
      items: {
        type: 'object',
        required: ['spdxElementId', 'relationshipType', 'relatedSpdxElement'],
        properties: {
          relationshipType: { enum: ['DESCRIBES', 'CONTAINS', 'DEPENDS_ON'] },
        },
      },
    },
  },
};

describe('toCycloneDx', () => {
  const doc = toCycloneDx(IMAGE, OPTIONS);

  it('is valid against the official CycloneDX 1.6 JSON schema', () => {
    const validate = cycloneDxValidator();
    expect(validate(doc) ? [] : validate.errors).toEqual([]);
    // The validator does reject what is not CycloneDX 1.6.
    expect(validate({ ...doc, bomFormat: 'SPDX' })).toBe(false);
    expect(validate({ ...doc, components: [{ name: 'x' }] })).toBe(false);
  });

  it('lists the distribution and every package with its purl and where it was found', () => {
    const components = doc['components'] as Array<Record<string, unknown>>;
    expect(components.map((c) => [c['type'], c['name'], c['bom-ref']])).toEqual(
      [
        ['operating-system', 'debian', 'operating-system'],
        ['library', 'bsdutils', IMAGE.packages[0]!.purl],
        ['library', '@types/node', 'pkg:npm/%40types/node@20.11.5'],
        ['library', 'ms', 'pkg:npm/ms@2.0.0'],
        ['library', 'ms', 'pkg:npm/ms@2.0.0#2'],
        ['library', 'org.example:lib', 'pkg:maven/org.example/lib@1.0'],
      ],
    );
    expect(components[1]!['properties']).toEqual([
      { name: 'customs:ecosystem', value: 'Debian:12' },
      { name: 'customs:detector', value: 'os/dpkg' },
      { name: 'customs:layerDigest', value: LAYER },
      { name: 'customs:path', value: 'var/lib/dpkg/status' },
      { name: 'customs:arch', value: 'amd64' },
      { name: 'customs:sourceName', value: 'util-linux' },
      { name: 'customs:sourceVersion', value: '2.38.1-5+deb12u3' },
    ]);
    expect(doc['serialNumber']).toBe(`urn:uuid:${OPTIONS.uuid}`);
  });

  it('carries each declared license: an SPDX expression, else a name', () => {
    const components = doc['components'] as Array<Record<string, unknown>>;
    expect(components.map((c) => c['licenses'])).toEqual([
      undefined,
      [
        {
          expression: 'GPL-2.0-or-later AND BSD-3-clause',
          acknowledgement: 'declared',
        },
      ],
      [{ expression: 'MIT', acknowledgement: 'declared' }],
      undefined,
      undefined,
      [
        {
          license: {
            name: 'Acme Commercial License',
            acknowledgement: 'declared',
          },
        },
      ],
    ]);
    expect((doc['metadata'] as Record<string, unknown>)['timestamp']).toBe(
      '2026-01-02T03:04:05Z',
    );
  });

  it('is still valid for an image without distribution or packages', () => {
    const validate = cycloneDxValidator();
    expect(
      validate(
        toCycloneDx(
          { ...IMAGE, distribution: undefined, packages: [] },
          OPTIONS,
        ),
      ),
    ).toBe(true);
  });
});

describe('toSpdx', () => {
  const doc = toSpdx(IMAGE, OPTIONS);

  it('meets the SPDX 2.3 JSON constraints', () => {
    const ajv = new Ajv({ allErrors: true });
    addFormats(ajv);
    const validate = ajv.compile(SPDX_23);
    expect(validate(doc) ? [] : validate.errors).toEqual([]);
    expect(validate({ ...doc, dataLicense: 'MIT' })).toBe(false);
  });

  it('declares each known license, free text through a LicenseRef', () => {
    const packages = doc['packages'] as Array<Record<string, unknown>>;
    expect(packages.map((p) => p['licenseDeclared'])).toEqual([
      'NOASSERTION',
      'NOASSERTION',
      'GPL-2.0-or-later AND BSD-3-clause',
      'MIT',
      'NOASSERTION',
      'NOASSERTION',
      'LicenseRef-declared-1',
    ]);
    expect(packages.map((p) => p['licenseConcluded'])).toEqual(
      packages.map(() => 'NOASSERTION'),
    );
    expect(doc['hasExtractedLicensingInfos']).toEqual([
      {
        licenseId: 'LicenseRef-declared-1',
        name: 'Acme Commercial License',
        extractedText: 'Acme Commercial License',
      },
    ]);
  });

  it('uses only SPDX-listed ids in the expressions it writes', () => {
    const listed = new Set(spdxLicenseIds().map((id) => id.toLowerCase()));
    for (const p of doc['packages'] as Array<Record<string, unknown>>) {
      const declared = p['licenseDeclared'] as string;
      for (const id of declared.split(/ AND | OR |[()]/).filter(Boolean))
        expect(
          id === 'NOASSERTION' ||
            id.startsWith('LicenseRef-') ||
            listed.has(id.toLowerCase()),
        ).toBe(true);
    }
  });

  it('has unique SPDX ids, and relationships only between existing elements', () => {
    const packages = doc['packages'] as Array<Record<string, unknown>>;
    const ids = packages.map((p) => p['SPDXID'] as string);
    expect(new Set(ids).size).toBe(ids.length);
    const known = new Set(['SPDXRef-DOCUMENT', ...ids]);
    for (const r of doc['relationships'] as Array<Record<string, string>>) {
      expect(known.has(r['spdxElementId']!)).toBe(true);
      expect(known.has(r['relatedSpdxElement']!)).toBe(true);
    }
    expect(packages).toHaveLength(2 + IMAGE.packages.length);
    expect(packages[2]).toMatchObject({
      name: 'bsdutils',
      versionInfo: '1:2.38.1-5+deb12u3',
      sourceInfo: 'built from source package util-linux 2.38.1-5+deb12u3',
      externalRefs: [
        {
          referenceCategory: 'PACKAGE-MANAGER',
          referenceType: 'purl',
          referenceLocator: IMAGE.packages[0]!.purl,
        },
      ],
    });
  });
});
