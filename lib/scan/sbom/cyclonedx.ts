/**
 * CycloneDX 1.6 JSON (https://cyclonedx.org/docs/1.6/json/) of one image:
 * the image as `metadata.component` (type `container`), the distribution as
 * an `operating-system` component, every package as a `library` with its
 * purl, its declared license (an SPDX `expression` when it reads as one,
 * else a license `name`), and where it was found as `customs:*` properties.
 */
import { toSpdxExpression } from '../../core/license-names.js';
import type { Distribution, ImagePackage } from '../../core/package.js';
import {
  imagePurl,
  isoSeconds,
  withDefaults,
  type SbomImage,
  type SbomOptions,
} from './sbom-image.js';

const IMAGE_REF = 'image';
const OS_REF = 'operating-system';

/** The CycloneDX 1.6 document of `image`, as a JSON value. */
export function toCycloneDx(
  image: SbomImage,
  options: SbomOptions,
): Record<string, unknown> {
  const o = withDefaults(options);
  const refs = uniqueRefs(image.packages);
  const os = image.distribution;
  const components = [
    ...(os === undefined ? [] : [osComponent(os)]),
    ...image.packages.map((p, i) => component(p, refs[i] as string)),
  ];
  return {
    $schema: 'http://cyclonedx.org/schema/bom-1.6.schema.json',
    bomFormat: 'CycloneDX',
    specVersion: '1.6',
    serialNumber: `urn:uuid:${o.uuid}`,
    version: 1,
    metadata: metadataOf(image, o),
    components,
    dependencies: [
      {
        ref: IMAGE_REF,
        dependsOn: [...(os === undefined ? [] : [OS_REF]), ...refs],
      },
      ...(os === undefined ? [] : [{ ref: OS_REF, dependsOn: [] }]),
      ...refs.map((ref) => ({ ref, dependsOn: [] })),
    ],
  };
}

/** When and by what the document was made, and the image it describes. */
function metadataOf(
  image: SbomImage,
  o: ReturnType<typeof withDefaults>,
): Record<string, unknown> {
  return {
    timestamp: isoSeconds(o.timestamp),
    tools: {
      components: [
        { type: 'application', name: o.toolName, version: o.toolVersion },
      ],
    },
    component: {
      'bom-ref': IMAGE_REF,
      type: 'container',
      name: image.repository,
      version: image.digest,
      purl: imagePurl(image),
    },
  };
}

function osComponent(os: Distribution): Record<string, unknown> {
  return {
    'bom-ref': OS_REF,
    type: 'operating-system',
    name: os.id,
    ...(os.versionId === undefined ? {} : { version: os.versionId }),
    ...(os.prettyName === undefined ? {} : { description: os.prettyName }),
  };
}

function component(p: ImagePackage, ref: string): Record<string, unknown> {
  const properties = [
    ['customs:ecosystem', p.ecosystem],
    ['customs:detector', p.detector],
    ['customs:layerDigest', p.layerDigest],
    ['customs:path', p.path],
    ['customs:arch', p.arch],
    ['customs:sourceName', p.sourceName],
    ['customs:sourceVersion', p.sourceVersion],
  ]
    .filter((kv): kv is [string, string] => kv[1] !== undefined && kv[1] !== '')
    .map(([name, value]) => ({ name, value }));
  return {
    'bom-ref': ref,
    type: 'library',
    name: p.name,
    version: p.version,
    purl: p.purl,
    ...(p.license === undefined ? {} : { licenses: licensesOf(p.license) }),
    properties,
  };
}

function licensesOf(license: string): Array<Record<string, unknown>> {
  const expression = toSpdxExpression(license);
  return expression === undefined
    ? [{ license: { name: license, acknowledgement: 'declared' } }]
    : [{ expression, acknowledgement: 'declared' }];
}

/** bom-refs must be unique: the purl, with `#2`, `#3`… for repeats (same package at two paths). */
function uniqueRefs(packages: readonly ImagePackage[]): string[] {
  const seen = new Map<string, number>();
  return packages.map((p) => {
    const n = (seen.get(p.purl) ?? 0) + 1;
    seen.set(p.purl, n);
    return n === 1 ? p.purl : `${p.purl}#${n}`;
  });
}
