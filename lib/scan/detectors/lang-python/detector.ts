/**
 * `lang/python`: installed Python distributions from their core metadata
 * (https://packaging.python.org/en/latest/specifications/core-metadata/):
 * `*.dist-info/METADATA` (wheels), `*.egg-info/PKG-INFO` and `*.egg-info`
 * files (setuptools), `EGG-INFO/PKG-INFO` (eggs).
 */
import { formatPurl } from '../../../core/purl.js';
import type {
  DetectedPackage,
  DetectInput,
  LayerFile,
  PackageDetector,
} from '../types.js';

const PATH_RE =
  /(?:\.dist-info\/METADATA|\.egg-info\/PKG-INFO|\.egg-info|\/EGG-INFO\/PKG-INFO)$/;
const HEADER_RE = /^([A-Za-z][A-Za-z0-9-]*):[ \t]*(.*)$/;
const LINE_RE = /\r?\n/;
// PEP 503 normalization, for the purl name.
const SEPARATORS_RE = /[-_.]+/g;

/** The `lang/python` detector. */
export const pythonDetector: PackageDetector = {
  name: 'lang/python',
  version: 1,
  scope: 'file',
  matches(file: LayerFile): boolean {
    return PATH_RE.test(file.path);
  },
  async detect(input: DetectInput): Promise<DetectedPackage[]> {
    const headers = parseHeaders((await input.read()).toString('utf8'));
    const name = headers.get('name');
    const version = headers.get('version');
    if (
      name === undefined ||
      name === '' ||
      version === undefined ||
      version === ''
    ) {
      input.warn({
        code: 'PACKAGE_DB_INVALID',
        message: 'invalid python package metadata',
        details: { reason: 'missing Name or Version' },
      });
      return [];
    }
    return [
      {
        ecosystem: 'PyPI',
        name,
        version,
        purl: formatPurl({
          type: 'pypi',
          name: name.toLowerCase().replace(SEPARATORS_RE, '-'),
          version,
        }),
      },
    ];
  },
};

/** RFC 822 style headers, up to the first blank line (the description follows). */
function parseHeaders(text: string): Map<string, string> {
  const headers = new Map<string, string>();
  for (const line of text.split(LINE_RE)) {
    if (line.trim() === '') break;
    const match = HEADER_RE.exec(line);
    const key = match?.[1]?.toLowerCase();
    if (key !== undefined && !headers.has(key))
      headers.set(key, (match?.[2] ?? '').trim());
  }
  return headers;
}
