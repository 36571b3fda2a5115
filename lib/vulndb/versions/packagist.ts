import {
  compareSignedIntegers,
  isSignedInteger,
  type Order,
} from './digits.js';

/**
 * Composer/Packagist order, which is PHP's `version_compare`
 * (https://www.php.net/manual/en/function.version-compare.php) after
 * dropping a leading `v`: `-`, `_` and `+` become dots, dots are inserted
 * between digits and non-digits, then parts compare as numbers, and words
 * by their first letters: `dev` < `alpha`/`a` < `beta`/`b` < `RC`/`rc` <
 * (a number) < `pl`/`p`; any other word sorts with `dev`.
 */
export function comparePackagist(a: string, b: string): Order {
  return compareParts(partsOf(a), partsOf(b));
}

/** Any non-empty version without whitespace. */
export function isValidPackagist(v: string): boolean {
  return v.length > 0 && !WHITESPACE_RE.test(v);
}

const WHITESPACE_RE = /\s/;
const SEPARATORS_RE = /[-_+]/g;
const WORD_THEN_DIGIT_RE = /([^\d.])(\d)/g;
const DIGIT_THEN_WORD_RE = /(\d)([^\d.])/g;
/** Any number compares as this word would. */
const NUMBER_WORD = '#';
const SPECIAL_ORDER = ['dev', 'a', 'b', 'rc', NUMBER_WORD, 'p'];

function partsOf(version: string): string[] {
  const v = version.replace(/^v/, '').replace(/^V/, '');
  return v
    .replace(SEPARATORS_RE, '.')
    .replace(WORD_THEN_DIGIT_RE, '$1.$2')
    .replace(DIGIT_THEN_WORD_RE, '$1.$2')
    .split('.');
}

function compareParts(a: string[], b: string[]): Order {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const c = comparePart(a[i]!, b[i]!);
    if (c !== 0) return c;
  }
  if (a.length === b.length) return 0;
  // The longer version's next part decides, against "a number".
  if (a.length > b.length) {
    if (isSignedInteger(a[n]!)) return 1;
    return compareParts(a.slice(n), [NUMBER_WORD]);
  }
  if (isSignedInteger(b[n]!)) return -1;
  return compareParts([NUMBER_WORD], b.slice(n));
}

function comparePart(a: string, b: string): Order {
  const aNum = isSignedInteger(a);
  const bNum = isSignedInteger(b);
  if (aNum && bNum) return compareSignedIntegers(a, b);
  return compareWeights(aNum ? NUMBER_WORD : a, bNum ? NUMBER_WORD : b);
}

function compareWeights(a: string, b: string): Order {
  const wa = weight(a);
  const wb = weight(b);
  return wa === wb ? 0 : wa < wb ? -1 : 1;
}

function weight(word: string): number {
  if (word.startsWith('RC')) return SPECIAL_ORDER.indexOf('rc');
  const i = SPECIAL_ORDER.findIndex((s) => word.startsWith(s));
  return i < 0 ? 0 : i;
}
