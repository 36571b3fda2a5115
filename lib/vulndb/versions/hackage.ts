import { compareDigits, compareNumberLists, type Order } from './digits.js';

/**
 * Hackage (Haskell PVP) version order: dot-separated numbers compared as
 * numbers, the shorter padded with zeros, and on a tie the version with
 * more components is greater (`1.0.0` > `1.0`), as Cabal's `Version` Ord
 * compares the lists.
 */
export function compareHackage(a: string, b: string): Order {
  const x = numbersOf(a);
  const y = numbersOf(b);
  const byValue = compareNumberLists(x, y);
  if (byValue !== 0) return byValue;
  return compareDigits(String(x.length), String(y.length));
}

/** Dot-separated non-negative integers. */
export function isValidHackage(v: string): boolean {
  return HACKAGE_RE.test(v);
}

const HACKAGE_RE = /^[0-9]+(?:\.[0-9]+)*$/;
const DIGITS_RE = /^[0-9]+$/;

function numbersOf(v: string): string[] {
  return v.split('.').filter((part) => DIGITS_RE.test(part));
}
