import {
  compareDigits,
  compareNumberLists,
  compareStrings,
  isDigits,
  type Order,
} from './digits.js';

/**
 * Python package version order: PEP 440
 * (https://peps.python.org/pep-0440/#summary-of-permitted-suffixes-and-relative-ordering)
 * as `packaging.version` implements it, with osv.dev's fallback for
 * versions PEP 440 cannot parse ("legacy" versions such as `0.9-eevee`):
 * they sort below every PEP 440 version and among themselves by
 * setuptools' old `parse_version` key.
 */
export function comparePep440(a: string, b: string): Order {
  const x = parsePep440(a);
  const y = parsePep440(b);
  if (x.legacy !== undefined || y.legacy !== undefined) {
    if (x.legacy === undefined) return 1;
    if (y.legacy === undefined) return -1;
    return compareStrings(x.legacy, y.legacy);
  }
  return (
    compareDigits(x.epoch, y.epoch) ||
    compareNumberLists(x.release, y.release) ||
    comparePre(x, y) ||
    compareOptional(x.post, y.post, -1) ||
    compareOptional(x.dev, y.dev, 1) ||
    compareLocal(x.local, y.local)
  );
}

/**
 * Any non-empty version without inner whitespace: PEP 440 versions, and
 * legacy ones, which PyPI still serves for old releases and which are
 * ordered by the fallback.
 */
export function isValidPep440(v: string): boolean {
  return v.trim().length > 0 && !INNER_SPACE_RE.test(v.trim());
}

/** True when `v` is a PEP 440 version (not a legacy one). */
export function isPep440(v: string): boolean {
  return PEP440_RE.test(v.toLowerCase());
}

interface Pep440 {
  epoch: string;
  release: string[];
  pre: { letter: string; number: string } | undefined;
  post: string | undefined;
  dev: string | undefined;
  local: string[];
  /** The legacy sort key when the text is not PEP 440. */
  legacy: string | undefined;
}

// packaging's VERSION_PATTERN (PEP 440 appendix B), anchored.
const PEP440_RE = new RegExp(
  '^\\s*v?(?:(?:([0-9]+)!)?([0-9]+(?:\\.[0-9]+)*)' +
    '(?:[-_.]?(a|b|c|rc|alpha|beta|pre|preview)[-_.]?([0-9]+)?)?' +
    '(?:-([0-9]+)|[-_.]?(post|rev|r)[-_.]?([0-9]+)?)?' +
    '(?:[-_.]?(dev)[-_.]?([0-9]+)?)?)' +
    '(?:\\+([a-z0-9]+(?:[-_.][a-z0-9]+)*))?\\s*$',
);
const INNER_SPACE_RE = /\s/;
const LOCAL_SEPARATOR_RE = /[-_.]/;
const PRE_SPELLINGS: ReadonlyMap<string, string> = new Map([
  ['alpha', 'a'],
  ['beta', 'b'],
  ['c', 'rc'],
  ['pre', 'rc'],
  ['preview', 'rc'],
]);

/** Parsed versions: matching compares the same few versions many times. */
const PARSED = new Map<string, Pep440>();
const MAX_PARSED = 20_000;

function parsePep440(text: string): Pep440 {
  const cached = PARSED.get(text);
  if (cached !== undefined) return cached;
  if (PARSED.size >= MAX_PARSED) PARSED.clear();
  const parsed = parseUncached(text);
  PARSED.set(text, parsed);
  return parsed;
}

function parseUncached(text: string): Pep440 {
  const m = PEP440_RE.exec(text.toLowerCase());
  if (m === null) return { ...EMPTY, legacy: legacyKey(text.toLowerCase()) };
  const [
    ,
    epoch,
    release = '0',
    preL,
    preN,
    postN1,
    postL,
    postN2,
    devL,
    devN,
    local,
  ] = m;
  return {
    epoch: epoch ?? '0',
    release: release.split('.'),
    pre:
      preL === undefined
        ? undefined
        : { letter: PRE_SPELLINGS.get(preL) ?? preL, number: preN ?? '0' },
    post: postN1 ?? (postL === undefined ? undefined : (postN2 ?? '0')),
    dev: devL === undefined ? undefined : (devN ?? '0'),
    local: local === undefined ? [] : local.split(LOCAL_SEPARATOR_RE),
    legacy: undefined,
  };
}

const EMPTY: Omit<Pep440, 'legacy'> = {
  epoch: '0',
  release: [],
  pre: undefined,
  post: undefined,
  dev: undefined,
  local: [],
};

/**
 * Pre-releases sort before the release; a bare dev release (`1.0.dev1`,
 * no pre or post) sorts before every pre-release of it (packaging's key).
 */
function comparePre(x: Pep440, y: Pep440): Order {
  const xDevOnly = isDevOnly(x);
  const yDevOnly = isDevOnly(y);
  if (xDevOnly || yDevOnly) {
    if (xDevOnly === yDevOnly) return 0;
    return xDevOnly ? -1 : 1;
  }
  if (x.pre === undefined || y.pre === undefined) {
    if (x.pre === y.pre) return 0;
    return x.pre === undefined ? 1 : -1;
  }
  return (
    compareStrings(x.pre.letter, y.pre.letter) ||
    compareDigits(x.pre.number, y.pre.number)
  );
}

function isDevOnly(v: Pep440): boolean {
  return v.pre === undefined && v.post === undefined && v.dev !== undefined;
}

/** Compares optional numbers; `absent` is the order of a missing one. */
function compareOptional(
  a: string | undefined,
  b: string | undefined,
  absent: Order,
): Order {
  if (a === undefined || b === undefined) {
    if (a === b) return 0;
    return a === undefined ? absent : (-absent as Order);
  }
  return compareDigits(a, b);
}

/** Local labels: numbers above words, longer above its prefix. */
function compareLocal(a: string[], b: string[]): Order {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i]!;
    const y = b[i]!;
    const xNum = isDigits(x);
    const yNum = isDigits(y);
    const c =
      xNum && yNum
        ? compareDigits(x, y)
        : xNum !== yNum
          ? xNum
            ? 1
            : -1
          : compareStrings(x, y);
    if (c !== 0) return c;
  }
  return a.length === b.length ? 0 : a.length > b.length ? 1 : -1;
}

const LEGACY_PART_RE = /[0-9]+|[a-z]+|\.|-/g;
const LEGACY_SPELLINGS: ReadonlyMap<string, string> = new Map([
  ['pre', 'c'],
  ['preview', 'c'],
  ['-', 'final-'],
  ['rc', 'c'],
  ['dev', '@'],
]);

/**
 * setuptools' legacy `parse_version` key, joined: numbers zero-padded to
 * eight digits, words prefixed with `*`, `final` appended, and trailing
 * zeros and `-` markers dropped before a word.
 */
function legacyKey(text: string): string {
  const parts: string[] = [];
  for (const raw of [...(text.match(LEGACY_PART_RE) ?? []), 'final']) {
    if (raw === '.') continue;
    const spelled = LEGACY_SPELLINGS.get(raw) ?? raw;
    const part = isDigits(spelled.slice(0, 1))
      ? spelled.padStart(8, '0')
      : `*${spelled}`;
    if (part.startsWith('*')) {
      if (part < '*final') {
        while (parts[parts.length - 1] === '*final-') parts.pop();
      }
      while (parts[parts.length - 1] === '00000000') parts.pop();
    }
    parts.push(part);
  }
  return parts.join('');
}
