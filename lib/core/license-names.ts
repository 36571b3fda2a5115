/**
 * License names as packages spell them, mapped to SPDX license ids
 * (https://spdx.org/licenses/) where the mapping is certain: the GNU
 * family in every spelling distributions use (`GPLv2+`, `GPL-2+`,
 * `GPL-2.0+`, `LGPL-2.1`: "+" = or later, otherwise only), and a short list
 * of common aliases (`ASL 2.0`, `Expat`, `MIT License`). Ambiguous names
 * (`BSD`, `GPL` without a version, `Apache Software License`) stay as
 * written. Without the full SPDX list an id is recognised by its shape: a
 * hyphenated name (`BSD-3-Clause`, `LicenseRef-x`) or one of the few common
 * ids without a hyphen (`MIT`, `ISC`, `Zlib` …).
 */
import {
  formatLicense,
  parseLicense,
  type LicenseNode,
} from './license-expression.js';

/**
 * The SPDX id `name` stands for (canonical case), or undefined when it is
 * free text or an ambiguous name.
 */
export function spdxIdOf(name: string): string | undefined {
  const clean = name.replace(BLANKS_RE, ' ').trim();
  const lower = clean.toLowerCase();
  const alias = ALIASES.get(lower) ?? HYPHENLESS.get(lower) ?? gnu(clean);
  if (alias !== undefined) return alias;
  // A PyPI classifier's short form: `GNU General Public License v2 or later (GPLv2+)`.
  const short = SHORT_FORM_RE.exec(clean)?.[1];
  if (short !== undefined)
    return ALIASES.get(short.toLowerCase()) ?? gnu(short);
  return SPDX_SHAPE_RE.test(clean) && !NOT_SPDX_RE.test(clean)
    ? clean
    : undefined;
}

/**
 * The key two license names are compared by: the SPDX id when known, else
 * the name with blanks collapsed; lower-cased (SPDX ids are
 * case-insensitive, free text is compared as written, ignoring case).
 */
export function licenseKey(name: string): string {
  return (spdxIdOf(name) ?? name.replace(BLANKS_RE, ' ').trim()).toLowerCase();
}

/**
 * A declared license as a valid SPDX expression (ids mapped, operators
 * upper-case), or undefined when some part of it is free text.
 */
export function toSpdxExpression(text: string): string | undefined {
  const node = toSpdxNode(parseLicense(text));
  return node === undefined ? undefined : formatLicense(node);
}

function toSpdxNode(node: LicenseNode): LicenseNode | undefined {
  switch (node.kind) {
    case 'license': {
      const name = spdxIdOf(node.name);
      return name === undefined ? undefined : { kind: 'license', name };
    }
    case 'with': {
      const license = spdxIdOf(node.license);
      const exception = node.exception.trim();
      return license === undefined || !EXCEPTION_SHAPE_RE.test(exception)
        ? undefined
        : { kind: 'with', license, exception };
    }
    case 'and':
    case 'or': {
      const terms = node.terms.map(toSpdxNode);
      return terms.every((t) => t !== undefined)
        ? { kind: node.kind, terms }
        : undefined;
    }
  }
}

const BLANKS_RE = /\s+/g;
const SHORT_FORM_RE = /^.*\S\s*\(([^()]+)\)$/;
// SPDX idstring, hyphenated (every listed id but a few), or a LicenseRef.
const SPDX_SHAPE_RE =
  /^(?:LicenseRef-[A-Za-z0-9.-]+|[A-Za-z0-9][A-Za-z0-9.]*(?:-[A-Za-z0-9.]+)+\+?)$/;
// Hyphenated names that are not SPDX ids (DEP-5's, loose descriptions).
const NOT_SPDX_RE = /^(?:public-domain|.*-(?:like|style|compatible))$/i;
const EXCEPTION_SHAPE_RE = /^[A-Za-z0-9][A-Za-z0-9.]*(?:-[A-Za-z0-9.]+)+$/;
// GNU licenses: family, major, minor, "or later" marker.
const GNU_RE =
  /^(A?GPL|LGPL|GFDL)[- ]?v?(\d)(?:\.(\d))?(\+|-or-later| or later|-only)?$/i;

function gnu(name: string): string | undefined {
  const m = GNU_RE.exec(name);
  if (m === null) return undefined;
  const [, family, major, minor, suffix] = m as unknown as [
    string,
    string,
    string,
    string | undefined,
    string | undefined,
  ];
  const later = suffix !== undefined && suffix.toLowerCase() !== '-only';
  return `${family.toUpperCase()}-${major}.${minor ?? '0'}-${later ? 'or-later' : 'only'}`;
}

const HYPHENLESS = new Map(
  [
    '0BSD',
    'Beerware',
    'blessing',
    'curl',
    'FSFAP',
    'FSFUL',
    'FSFULLR',
    'HPND',
    'ICU',
    'ISC',
    'JSON',
    'Libpng',
    'MirOS',
    'MIT',
    'NTP',
    'OpenSSL',
    'PostgreSQL',
    'Ruby',
    'Sendmail',
    'Sleepycat',
    'TCL',
    'Unlicense',
    'Vim',
    'WTFPL',
    'X11',
    'Zlib',
  ].map((id) => [id.toLowerCase(), id]),
);

const ALIASES = new Map<string, string>(
  Object.entries({
    'Apache-2.0': [
      'apache 2',
      'apache 2.0',
      'apache-2',
      'apache2',
      'apache license 2.0',
      'apache license, version 2.0',
      'apache license version 2.0',
      'apache software license 2.0',
      'the apache software license, version 2.0',
      'asl 2.0',
      'asl-2.0',
    ],
    MIT: ['mit license', 'the mit license', 'expat', 'expat license'],
    ISC: ['isc license', 'iscl'],
    'BSD-2-Clause': ['bsd 2-clause', 'bsd-2', 'simplified bsd license'],
    'BSD-3-Clause': [
      'bsd 3-clause',
      'bsd-3',
      'new bsd license',
      'modified bsd license',
    ],
    'MPL-2.0': ['mpl 2.0', 'mpl-2', 'mplv2.0', 'mozilla public license 2.0'],
    Zlib: ['zlib license'],
    Unlicense: ['the unlicense'],
    'CC0-1.0': ['cc0', 'cc0 1.0'],
    'PSF-2.0': ['python software foundation license'],
  }).flatMap(([id, names]) => names.map((n) => [n, id] as [string, string])),
);
