/**
 * `lang/ruby`: installed gems, from the gemspecs RubyGems writes under
 * `specifications/` (`s.name = "rack".freeze`, `s.version = "2.2.3"`), read
 * with patterns as Trivy does: the file is Ruby and is never evaluated.
 */
import { declaredLicense } from '../../../core/license-expression.js';
import { formatPurl } from '../../../core/purl.js';
import type {
  DetectedPackage,
  DetectInput,
  LayerFile,
  PackageDetector,
} from '../types.js';

const PATH_RE = /(?:^|\/)specifications\/(?:default\/)?[^/]+\.gemspec$/;
const NAME_RE = /^\s*\w+\.name\s*=\s*["']([^"']+)["']/m;
const VERSION_RE = /^\s*\w+\.version\s*=\s*["']([^"']+)["']/m;
// `Gem::Version.new("1.2.3")` in older gemspecs.
const GEM_VERSION_RE =
  /^\s*\w+\.version\s*=\s*Gem::Version\.new\(\s*["']([^"']+)["']/m;
// `s.licenses = ["MIT".freeze, "Ruby".freeze]`, or `s.license = "MIT"`.
const LICENSES_RE = /^\s*\w+\.licenses?\s*=\s*(.+)$/m;
const QUOTED_RE = /["']([^"']+)["']/g;

/** The `lang/ruby` detector. */
export const rubyDetector: PackageDetector = {
  name: 'lang/ruby',
  version: 2,
  scope: 'file',
  matches(file: LayerFile): boolean {
    return PATH_RE.test(file.path);
  },
  async detect(input: DetectInput): Promise<DetectedPackage[]> {
    const text = (await input.read()).toString('utf8');
    const name = NAME_RE.exec(text)?.[1];
    const version =
      VERSION_RE.exec(text)?.[1] ?? GEM_VERSION_RE.exec(text)?.[1];
    if (name === undefined || version === undefined) {
      input.warn({
        code: 'PACKAGE_DB_INVALID',
        message: 'invalid gemspec',
        details: { reason: 'no name or version assignment' },
      });
      return [];
    }
    return [
      {
        ecosystem: 'RubyGems',
        name,
        version,
        purl: formatPurl({ type: 'gem', name, version }),
        license: licenseOf(text),
      },
    ];
  },
};

/**
 * The gemspec's licenses; several are joined with AND: RubyGems does not
 * say whether a list means a choice, so all of them are taken to apply.
 */
function licenseOf(text: string): string | undefined {
  const value = LICENSES_RE.exec(text)?.[1] ?? '';
  const names = [...value.matchAll(QUOTED_RE)].map((m) => m[1] as string);
  return declaredLicense(names.join(' AND '));
}
