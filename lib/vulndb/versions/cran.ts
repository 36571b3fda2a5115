import { compareDigits, compareNumberLists, type Order } from './digits.js';

/**
 * CRAN (R `package_version`) order: numbers separated by `.` or `-`
 * (the two are equivalent), compared as numbers, the shorter padded with
 * zeros; on a tie the version with more numbers is greater (`0.1.0` <
 * `0.1.0.0`), as R compares the integer vectors.
 */
export function compareCran(a: string, b: string): Order {
  const x = numbersOf(a);
  const y = numbersOf(b);
  const byValue = compareNumberLists(x, y);
  if (byValue !== 0) return byValue;
  return compareDigits(String(x.length), String(y.length));
}

/** At least two non-negative integers separated by `.` or `-` (R's rule). */
export function isValidCran(v: string): boolean {
  return CRAN_RE.test(v);
}

const CRAN_RE = /^[0-9]+(?:[.-][0-9]+)+$/;
const SEPARATOR_RE = /[.-]/;
const DIGITS_RE = /^[0-9]+$/;

function numbersOf(v: string): string[] {
  return v.split(SEPARATOR_RE).filter((part) => DIGITS_RE.test(part));
}
