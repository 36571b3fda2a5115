/**
 * Declared licenses of Debian packages, from their machine-readable
 * copyright files, `usr/share/doc/<package>/copyright` (DEP-5,
 * https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/):
 * deb822 paragraphs, a header with `Format:`, then `Files:` paragraphs
 * whose `License:` first line is a short name or expression (`GPL-2+`,
 * `GPL-2+ or Artistic`); the lines after it, and stand-alone `License:`
 * paragraphs, are license texts. Free-form (not DEP-5) copyright files
 * declare nothing here.
 */
import { declaredLicense } from '../../../core/license-expression.js';
import { licenseKey } from '../../../core/license-names.js';
import { parseControl } from './control.js';

/**
 * Largest copyright file kept for reading: most are a few KB; the few huge
 * ones (concatenated texts of bundled code) are left unread rather than
 * kept in the scan's memory and layer cache.
 */
export const MAX_COPYRIGHT_BYTES = 512 * 1024;

const DOC_PREFIX = 'usr/share/doc/';
const COPYRIGHT = '/copyright';
// DEP-5's Format URL, in its published spellings (1.0, and the draft's `dep5`).
const FORMAT_RE = /copyright-format|dep5/i;
const BLANKS_RE = /\s/;
const PATTERNS_RE = /\s+/;

/** True for `usr/share/doc/<package>/copyright` (not deeper, not another file). */
export function isCopyrightPath(path: string): boolean {
  if (!path.startsWith(DOC_PREFIX) || !path.endsWith(COPYRIGHT)) return false;
  const name = path.slice(DOC_PREFIX.length, -COPYRIGHT.length);
  return name !== '' && !name.includes('/') && !name.startsWith('.');
}

/** Where the copyright file of binary package `name` is. */
export function copyrightPathOf(name: string): string {
  return `${DOC_PREFIX}${name}${COPYRIGHT}`;
}

/**
 * The declared license of a DEP-5 copyright file: the header's `License:`
 * when it has one (DEP-5 lets the header summarise the package), else the
 * distinct licenses of its `Files:` paragraphs joined with AND (each
 * applies to some of the package's files), leaving out paragraphs only
 * about `debian/` (the packaging, not shipped in the binary package).
 * Undefined for a file that is not DEP-5 or names no license.
 */
export function copyrightLicense(text: string): string | undefined {
  const [header, ...rest] = parseControl(text);
  if (
    header === undefined ||
    !FORMAT_RE.test(header.fields.get('format') ?? '')
  )
    return undefined;
  const summary = firstLine(header.fields.get('license'));
  if (summary !== undefined) return declaredLicense(summary);
  const names = new Map<string, string>();
  for (const p of rest) {
    if (p.error !== undefined || isPackagingOnly(p.fields.get('files')))
      continue;
    const name = firstLine(p.fields.get('license'));
    // `BSD-3-Clause` and `BSD-3-clause` are one license.
    if (name !== undefined && !names.has(licenseKey(name)))
      names.set(licenseKey(name), name);
  }
  const all = [...names.values()];
  return declaredLicense(
    all.length > 1
      ? all.map((n) => (BLANKS_RE.test(n) ? `(${n})` : n)).join(' AND ')
      : all[0],
  );
}

/** True for a paragraph without `Files:`, or whose patterns are all under `debian/`. */
function isPackagingOnly(files: string | undefined): boolean {
  const patterns = files?.trim().split(PATTERNS_RE) ?? [];
  return (
    patterns.length === 0 || patterns.every((f) => f.startsWith('debian/'))
  );
}

function firstLine(value: string | undefined): string | undefined {
  const line = value?.split('\n', 1)[0]?.trim();
  return line === undefined || line === '' ? undefined : line;
}
