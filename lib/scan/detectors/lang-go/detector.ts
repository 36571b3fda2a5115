/**
 * `lang/go`: modules compiled into Go executables, from their build
 * information (`go version -m`): the main module (unless it is `(devel)`),
 * every `dep` (a `=>` replacement wins, as it is what was built) and the
 * standard library as `stdlib`, which the Go vulnerability database names.
 */
import { formatPurl } from '../../../core/purl.js';
import type {
  DetectedPackage,
  DetectInput,
  LayerFile,
  PackageDetector,
} from '../types.js';
import { readGoBuildInfo } from './buildinfo.js';

const GO_VERSION_RE = /^go(\d+(?:\.\d+)*(?:(?:rc|beta)\d+)?)/;
const EXECUTABLE_BITS = 0o111;
/** No Go binary is smaller (the runtime alone is ~1 MB). */
const MIN_BYTES = 1024;

/** The `lang/go` detector. */
export const goDetector: PackageDetector = {
  name: 'lang/go',
  version: 1,
  scope: 'file',
  matches(file: LayerFile): boolean {
    return (file.mode & EXECUTABLE_BITS) !== 0 && file.sizeBytes >= MIN_BYTES;
  },
  async detect(input: DetectInput): Promise<DetectedPackage[]> {
    const info = readGoBuildInfo(await input.read());
    if (info === undefined) return [];
    const modules = modulesOf(info.modInfo);
    const stdlib = GO_VERSION_RE.exec(info.goVersion)?.[1];
    if (stdlib !== undefined) modules.push({ path: 'stdlib', version: stdlib });
    return modules.map(({ path, version }) => ({
      ecosystem: 'Go',
      name: path,
      version,
      purl: purlOf(path, version),
    }));
  },
};

interface Module {
  path: string;
  version: string;
}

/** `mod` and `dep` lines (tab-separated), a `=>` line replacing the one before; unversioned ones dropped. */
export function modulesOf(modInfo: string): Module[] {
  const out: Module[] = [];
  for (const line of modInfo.split('\n')) {
    const [kind, path, version] = line.split('\t');
    if (path === undefined || path === '') continue;
    if (kind === 'mod' || kind === 'dep') {
      out.push({ path, version: version ?? '' });
    } else if (kind === '=>' && out.length > 0) {
      // What was built is the replacement; a local one (`=> ./lib`) has no
      // version and is then not a published module (Trivy drops it too).
      out[out.length - 1] = { path, version: version ?? '' };
    }
  }
  return out.filter((m) => m.version !== '' && m.version !== '(devel)');
}

function purlOf(path: string, version: string): string {
  if (path === 'stdlib')
    return formatPurl({ type: 'golang', name: 'stdlib', version });
  const slash = path.lastIndexOf('/');
  return formatPurl({
    type: 'golang',
    namespace: slash > 0 ? path.slice(0, slash) : undefined,
    name: path.slice(slash + 1),
    version,
  });
}
