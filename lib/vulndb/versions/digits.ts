/**
 * Helpers shared by the comparators: numbers of any length compared as
 * digit strings (no BigInt allocation, no precision loss), and the sign of
 * a comparison.
 */

const DIGITS_RE = /^[0-9]+$/;

/** A comparison result. */
export type Order = -1 | 0 | 1;

/** True when `s` is one or more ASCII digits. */
export function isDigits(s: string): boolean {
  return DIGITS_RE.test(s);
}

/** `s` without leading zeros ('' stays '', '000' becomes '0'). */
export function stripZeros(s: string): string {
  let i = 0;
  while (i < s.length - 1 && s.charCodeAt(i) === 48) i++;
  return s.slice(i);
}

/**
 * Compares two digit strings as numbers of any length: `'010'` equals
 * `'10'`, and 30-digit numbers order exactly. '' counts as 0.
 */
export function compareDigits(a: string, b: string): Order {
  const x = stripZeros(a === '' ? '0' : a);
  const y = stripZeros(b === '' ? '0' : b);
  if (x.length !== y.length) return x.length < y.length ? -1 : 1;
  return compareStrings(x, y);
}

/** Code-unit (ASCII) order of two strings, as Go's `strings.Compare`. */
export function compareStrings(a: string, b: string): Order {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

/** The sign of a number as an Order. */
export function sign(n: number): Order {
  return n < 0 ? -1 : n > 0 ? 1 : 0;
}

/**
 * Compares lists of digit strings as numbers, the shorter padded with
 * zeros (`1.0` equals `1.0.0`).
 */
export function compareNumberLists(
  a: readonly string[],
  b: readonly string[],
): Order {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const c = compareDigits(a[i] ?? '0', b[i] ?? '0');
    if (c !== 0) return c;
  }
  return 0;
}

/**
 * Whether an identifier reads as a (possibly signed) decimal integer, the
 * way Go's `big.Int.SetString(s, 10)` accepts it: an optional `+` or `-`
 * then digits. Used where the reference ordering treats such identifiers
 * as numbers.
 */
export function isSignedInteger(s: string): boolean {
  return SIGNED_RE.test(s);
}

/** Compares two strings accepted by {@link isSignedInteger} as numbers. */
export function compareSignedIntegers(a: string, b: string): Order {
  const negA = a.startsWith('-') && !isZero(a.slice(1));
  const negB = b.startsWith('-') && !isZero(b.slice(1));
  if (negA !== negB) return negA ? -1 : 1;
  const magnitude = compareDigits(unsign(a), unsign(b));
  if (!negA || magnitude === 0) return magnitude;
  return magnitude < 0 ? 1 : -1;
}

const SIGNED_RE = /^[+-]?[0-9]+$/;

function unsign(s: string): string {
  return s.startsWith('-') || s.startsWith('+') ? s.slice(1) : s;
}

function isZero(digits: string): boolean {
  return stripZeros(digits) === '0';
}
