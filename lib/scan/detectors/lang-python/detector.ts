/**
 * `lang/python`: installed Python distributions from their core metadata
 * (https://packaging.python.org/en/latest/specifications/core-metadata/):
 * `*.dist-info/METADATA` (wheels), `*.egg-info/PKG-INFO` and `*.egg-info`
 * files (setuptools), `EGG-INFO/PKG-INFO` (eggs).
 */
import { declaredLicense } from '../../../core/license-expression.js';
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
const CONTINUATION_RE = /^[ \t]/;
// A `License` value that is the license's text, not its name.
const LICENSE_TEXT_RE = /copyright|permission|redistribution|.{120}/i;
// A classifier's short form: `GNU General Public License v2 or later (GPLv2+)`.
const SHORT_FORM_RE = /\(([^()]+)\)$/;
// PEP 503 normalization, for the purl name.
const SEPARATORS_RE = /[-_.]+/g;

/** The `lang/python` detector. */
export const pythonDetector: PackageDetector = {
  name: 'lang/python',
  version: 2,
  scope: 'file',
  matches(file: LayerFile): boolean {
    return PATH_RE.test(file.path);
  },
  async detect(input: DetectInput): Promise<DetectedPackage[]> {
    const headers = parseHeaders((await input.read()).toString('utf8'));
    const name = headers.get('name')?.[0];
    const version = headers.get('version')?.[0];
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
        license: licenseOf(headers),
      },
    ];
  },
};

/**
 * The declared license: `License-Expression` (PEP 639), else `License`
 * when it names a license (not the license's text pasted in), else the
 * `License ::` classifiers, joined with AND (they do not say whether they
 * are a choice).
 */
function licenseOf(headers: Map<string, string[]>): string | undefined {
  const expression = declaredLicense(headers.get('license-expression')?.[0]);
  if (expression !== undefined) return expression;
  const license = headers.get('license')?.[0] ?? '';
  if (!license.includes('\n') && !LICENSE_TEXT_RE.test(license)) {
    const named = declaredLicense(license);
    if (named !== undefined) return named;
  }
  const classified = (headers.get('classifier') ?? []).flatMap((c) => {
    const parts = c.split('::').map((p) => p.trim());
    // `License :: OSI Approved` alone is a category, not a license.
    if (parts[0] !== 'License' || parts.length < 2) return [];
    if (parts.length === 2 && parts[1] === 'OSI Approved') return [];
    const last = parts[parts.length - 1] as string;
    return [SHORT_FORM_RE.exec(last)?.[1] ?? last];
  });
  return declaredLicense([...new Set(classified)].join(' AND '));
}

/**
 * RFC 822 style headers, every value of each (lower-cased) name, up to the
 * first empty line (the description follows). A line starting with a blank
 * continues the previous value (setuptools indents multi-line fields, and
 * their empty lines become lines of blanks).
 */
function parseHeaders(text: string): Map<string, string[]> {
  const headers = new Map<string, string[]>();
  let last: { values: string[]; at: number } | undefined;
  for (const line of text.split(LINE_RE)) {
    if (line === '') break;
    if (CONTINUATION_RE.test(line)) {
      if (last !== undefined)
        last.values[last.at] = `${last.values[last.at]}\n${line.trim()}`;
      continue;
    }
    const match = HEADER_RE.exec(line);
    const key = match?.[1]?.toLowerCase();
    last = undefined;
    if (key === undefined) continue;
    const values = headers.get(key) ?? [];
    values.push((match?.[2] ?? '').trim());
    headers.set(key, values);
    last = { values, at: values.length - 1 };
  }
  return headers;
}
