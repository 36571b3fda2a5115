/**
 * `lang/java`: Maven artifacts in Java archives (jar, war, ear, par),
 * nested ones included. Each `pom.properties` names an artifact (shaded jars
 * carry several); an archive without one is named by its manifest when it
 * gives vendor id, title and version, as Trivy does offline.
 */
import { declaredLicense } from '../../../core/license-expression.js';
import { formatPurl } from '../../../core/purl.js';
import type {
  DetectedPackage,
  DetectInput,
  LayerFile,
  PackageDetector,
} from '../types.js';
import { readArchive, type ArchiveInfo } from './archive.js';

const ARCHIVE_RE = /\.(?:jar|war|ear|par)$/i;

/** The `lang/java` detector. */
export const javaDetector: PackageDetector = {
  name: 'lang/java',
  version: 2,
  scope: 'file',
  matches(file: LayerFile): boolean {
    return ARCHIVE_RE.test(file.path);
  },
  async detect(input: DetectInput): Promise<DetectedPackage[]> {
    let info: ArchiveInfo;
    try {
      info = await readArchive(await input.read(), input.file.path);
    } catch (err: unknown) {
      input.warn({
        code: 'PACKAGE_DB_INVALID',
        message: 'invalid java archive',
        details: { reason: err instanceof Error ? err.message : String(err) },
      });
      return [];
    }
    const out: DetectedPackage[] = [];
    const seen = new Set<string>();
    for (const archive of flatten(info)) {
      for (const pkg of packagesOf(archive)) {
        const key = `${pkg.name}@${pkg.version}@${pkg.path ?? ''}`;
        if (!seen.has(key)) out.push(pkg);
        seen.add(key);
      }
    }
    return out;
  },
};

function flatten(info: ArchiveInfo): ArchiveInfo[] {
  return [info, ...info.nested.flatMap(flatten)];
}

/**
 * An archive's packages; the OSGi `Bundle-License` of its manifest is the
 * license of the archive's one package (a shaded jar's manifest says
 * nothing certain about the artifacts inside it).
 */
function packagesOf(archive: ArchiveInfo): DetectedPackage[] {
  const found = namedPackagesOf(archive);
  const license = bundleLicense(archive.manifest?.get('Bundle-License'));
  return found.length === 1 && license !== undefined
    ? [{ ...(found[0] as DetectedPackage), license }]
    : found;
}

/**
 * `Bundle-License` (OSGi Core, "Bundle-License"): licenses separated by
 * commas, each a name or URL with optional `;link=` / `;description=`
 * attributes; `<<EXTERNAL>>` says nothing. Several are joined with AND.
 */
function bundleLicense(header: string | undefined): string | undefined {
  if (header === undefined || header.trim() === '<<EXTERNAL>>')
    return undefined;
  const names = header
    .split(',')
    .map((clause) => (clause.split(';', 1)[0] as string).trim())
    .filter((name) => name !== '');
  return declaredLicense(names.join(' AND '));
}

function namedPackagesOf(archive: ArchiveInfo): DetectedPackage[] {
  const fromPom = archive.pomProperties.flatMap((props) => {
    const group = props.get('groupId');
    const artifact = props.get('artifactId');
    const version = props.get('version');
    return group && artifact && version
      ? [toPackage(group, artifact, version, archive.path)]
      : [];
  });
  if (fromPom.length > 0) return fromPom;
  const m = archive.manifest;
  const group =
    m?.get('Implementation-Vendor-Id') ?? m?.get('Bundle-SymbolicName');
  const artifact =
    m?.get('Implementation-Title') ?? m?.get('Specification-Title');
  const version = m?.get('Implementation-Version') ?? m?.get('Bundle-Version');
  return group && artifact && version
    ? [toPackage(group, artifact, version, archive.path)]
    : [];
}

function toPackage(
  group: string,
  artifact: string,
  version: string,
  path: string,
): DetectedPackage {
  return {
    ecosystem: 'Maven',
    name: `${group}:${artifact}`,
    version,
    purl: formatPurl({
      type: 'maven',
      namespace: group,
      name: artifact,
      version,
    }),
    path,
  };
}
