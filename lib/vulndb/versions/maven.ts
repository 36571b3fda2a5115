import {
  compareDigits,
  compareStrings,
  isDigits,
  type Order,
} from './digits.js';

/**
 * Maven version order (https://maven.apache.org/pom.html#version-order-specification,
 * `ComparableVersion`): the version is split at `.`, `-` and between
 * digits and letters (a transition counts as `-`); trailing "null" items
 * (`0`, '', `final`, `ga`, `release`) are trimmed before each `-`;
 * qualifiers order `alpha` < `beta` < `milestone` < `rc` = `cr` <
 * `snapshot` < '' < `sp` < other words (alphabetically), case-insensitive,
 * and `a1`/`b1`/`m1` abbreviate alpha/beta/milestone; by separator,
 * `.qualifier` < `-qualifier` < `-number` < `.number`.
 */
export function compareMaven(a: string, b: string): Order {
  const x = tokenize(a);
  const y = tokenize(b);
  const n = Math.max(x.length, y.length);
  for (let i = 0; i < n; i++) {
    const left = x[i] ?? padFor(y[i]!);
    const right = y[i] ?? padFor(x[i]!);
    if (left.prefix === right.prefix && left.value === right.value) continue;
    return compareTokens(left, right);
  }
  return 0;
}

/** Any non-empty version without whitespace (Maven accepts any string). */
export function isValidMaven(v: string): boolean {
  return v.length > 0 && !WHITESPACE_RE.test(v);
}

interface Token {
  prefix: '' | '.' | '-';
  value: string;
  isPadding: boolean;
}

const WHITESPACE_RE = /\s/;
const SEPARATOR_RE = /([.-])/;
const TRANSITION_RE = /(?<=[0-9])(?=[^0-9])|(?<=[^0-9])(?=[0-9])/;
const KEYWORDS = ['alpha', 'beta', 'milestone', 'rc', 'snapshot', '', 'sp'];
const NULL_VALUES = new Set(['0', '', 'final', 'ga']);
const ALIASES: ReadonlyMap<string, string> = new Map([
  ['cr', 'rc'],
  ['ga', ''],
  ['final', ''],
  ['release', ''],
]);
const SHORT_QUALIFIERS: ReadonlyMap<string, string> = new Map([
  ['a', 'alpha'],
  ['b', 'beta'],
  ['m', 'milestone'],
]);

function tokenize(version: string): Token[] {
  const raw = version.split(SEPARATOR_RE);
  const tokens: Token[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const separator = (i === 0 ? '' : raw[i - 1]) as Token['prefix'];
    const pieces = raw[i]!.split(TRANSITION_RE);
    pieces.forEach((piece, k) => {
      const isLast = k === pieces.length - 1;
      tokens.push({
        prefix: k === 0 ? separator : '-',
        value: normalize(piece.toLowerCase(), isLast),
        isPadding: false,
      });
    });
  }
  return trimNulls(tokens);
}

function normalize(value: string, isLast: boolean): string {
  if (value === '') return '0';
  let v = ALIASES.get(value) ?? value;
  // `a1` is alpha-1, but a lone `a` is just a word.
  if (!isLast) v = SHORT_QUALIFIERS.get(v) ?? v;
  return isDigits(v) ? v.replace(/^0+(?=[0-9])/, '') : v;
}

/**
 * Drops trailing null items, then again before each `-` from the end to
 * the start (osv.dev's reading of ComparableVersion's normalize()).
 */
function trimNulls(tokens: Token[]): Token[] {
  let i = tokens.length - 1;
  while (i > 0) {
    if (NULL_VALUES.has(tokens[i]!.value)) {
      tokens.splice(i, 1);
      i--;
      continue;
    }
    while (i >= 0 && tokens[i]!.prefix !== '-') i--;
    i--;
  }
  return tokens;
}

/** The null item a shorter version is padded with, against `other`. */
function padFor(other: Token): Token {
  if (other.prefix === '.') {
    // Only `sp` sorts after the empty qualifier, so pad it with ''.
    return {
      prefix: '.',
      value: other.value === 'sp' ? '' : '0',
      isPadding: true,
    };
  }
  return { prefix: '-', value: '', isPadding: true };
}

function compareTokens(a: Token, b: Token): Order {
  if (a.prefix !== b.prefix) {
    return compareNumbers(separatorRank(a), separatorRank(b));
  }
  const aNum = isDigits(a.value);
  const bNum = isDigits(b.value);
  if (aNum && bNum) return compareDigits(a.value, b.value);
  // Numbers sort after qualifiers, unless the number is padding.
  if (aNum && !a.isPadding) return 1;
  if (bNum && !b.isPadding) return -1;
  const ka = keywordRank(a.value);
  const kb = keywordRank(b.value);
  if (ka === KEYWORDS.length && kb === KEYWORDS.length) {
    return compareStrings(a.value, b.value);
  }
  return compareNumbers(ka, kb);
}

/** `.qualifier` < `-qualifier` < `-number` < `.number`. */
function separatorRank(t: Token): number {
  const isNumber = isDigits(t.value);
  if (t.prefix === '.') return isNumber ? 3 : 0;
  if (t.prefix === '-') return isNumber ? 2 : 1;
  return isNumber ? 3 : 0;
}

function keywordRank(value: string): number {
  const i = KEYWORDS.indexOf(value);
  return i < 0 ? KEYWORDS.length : i;
}

function compareNumbers(a: number, b: number): Order {
  return a === b ? 0 : a < b ? -1 : 1;
}
