/**
 * SPDX 2.3 JSON (https://spdx.github.io/spdx-spec/v2.3/) of one image: the
 * document DESCRIBES the image package (purpose CONTAINER), which CONTAINS
 * every package (purpose OPERATING-SYSTEM for the distribution, LIBRARY
 * otherwise), each with its purl as a PACKAGE-MANAGER external reference
 * and its declared license: as an SPDX expression when it reads as one,
 * else as a `LicenseRef-` whose text is in `hasExtractedLicensingInfos`
 * (clause 10).
 */
import { toSpdxExpression } from '../../core/license-names.js';
import type { ImagePackage } from '../../core/package.js';
import {
  imagePurl,
  isoSeconds,
  withDefaults,
  type SbomImage,
  type SbomOptions,
} from './sbom-image.js';

const NOASSERTION = 'NOASSERTION';
const IMAGE_ID = 'SPDXRef-Image';
const OS_ID = 'SPDXRef-OperatingSystem';

/** The SPDX 2.3 document of `image`, as a JSON value. */
export function toSpdx(
  image: SbomImage,
  options: SbomOptions,
): Record<string, unknown> {
  const o = withDefaults(options);
  const os = image.distribution;
  const packages: Array<Record<string, unknown>> = [
    {
      ...bare(IMAGE_ID, image.repository, image.digest),
      primaryPackagePurpose: 'CONTAINER',
      externalRefs: [purlRef(imagePurl(image))],
    },
  ];
  if (os !== undefined)
    packages.push({
      ...bare(OS_ID, os.id, os.versionId),
      primaryPackagePurpose: 'OPERATING-SYSTEM',
    });
  const refs = new LicenseRefs();
  image.packages.forEach((p, i) => packages.push(spdxPackage(p, i, refs)));
  const contained = packages.slice(1).map((p) => p['SPDXID'] as string);
  return {
    spdxVersion: 'SPDX-2.3',
    dataLicense: 'CC0-1.0',
    SPDXID: 'SPDXRef-DOCUMENT',
    name: `${image.repository}@${image.digest}`,
    documentNamespace: `https://customs.invalid/spdx/${encodeURIComponent(image.repository)}/${image.digest}/${o.uuid}`,
    creationInfo: {
      created: isoSeconds(o.timestamp),
      creators: [`Tool: ${o.toolName}-${o.toolVersion}`],
    },
    packages,
    ...(refs.infos.length === 0
      ? {}
      : { hasExtractedLicensingInfos: refs.infos }),
    relationships: [
      relationship('SPDXRef-DOCUMENT', 'DESCRIBES', IMAGE_ID),
      ...contained.map((id) => relationship(IMAGE_ID, 'CONTAINS', id)),
    ],
  };
}

function relationship(
  from: string,
  type: string,
  to: string,
): Record<string, string> {
  return {
    spdxElementId: from,
    relationshipType: type,
    relatedSpdxElement: to,
  };
}

function bare(
  id: string,
  name: string,
  version: string | undefined,
): Record<string, unknown> {
  return {
    SPDXID: id,
    name,
    ...(version === undefined ? {} : { versionInfo: version }),
    downloadLocation: NOASSERTION,
    filesAnalyzed: false,
    licenseConcluded: NOASSERTION,
    licenseDeclared: NOASSERTION,
    copyrightText: NOASSERTION,
  };
}

function spdxPackage(
  p: ImagePackage,
  index: number,
  refs: LicenseRefs,
): Record<string, unknown> {
  return {
    ...bare(`SPDXRef-Package-${index + 1}`, p.name, p.version),
    ...(p.license === undefined
      ? {}
      : { licenseDeclared: toSpdxExpression(p.license) ?? refs.of(p.license) }),
    ...(p.sourceName !== undefined && p.sourceName !== p.name
      ? {
          sourceInfo:
            `built from source package ${p.sourceName} ${p.sourceVersion ?? ''}`.trim(),
        }
      : {}),
    comment: `found by ${p.detector} in ${p.path} (layer ${p.layerDigest}), ecosystem ${p.ecosystem}`,
    primaryPackagePurpose: 'LIBRARY',
    externalRefs: [purlRef(p.purl)],
  };
}

/** One `LicenseRef-` per distinct free-text license of the document. */
class LicenseRefs {
  readonly infos: Array<{
    licenseId: string;
    name: string;
    extractedText: string;
  }> = [];
  private readonly ids = new Map<string, string>();

  of(text: string): string {
    let id = this.ids.get(text);
    if (id === undefined) {
      id = `LicenseRef-declared-${this.ids.size + 1}`;
      this.ids.set(text, id);
      this.infos.push({ licenseId: id, name: text, extractedText: text });
    }
    return id;
  }
}

function purlRef(purl: string): Record<string, string> {
  return {
    referenceCategory: 'PACKAGE-MANAGER',
    referenceType: 'purl',
    referenceLocator: purl,
  };
}
