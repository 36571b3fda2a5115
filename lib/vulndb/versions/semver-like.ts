import {
  compareNumberLists,
  compareStrings,
  isSignedInteger,
  compareSignedIntegers,
  type Order,
} from './digits.js';

const LEADING_ZEROS_RE = /^0+(?=[0-9])/;

/**
 * A version "like" SemVer: a leading `v` is ignored, then dot-separated
 * numeric components of any count and length; the first character that is
 * neither a digit nor a dot starts the "rest" (`-pre.1+build`). This is
 * the shape osv.dev's ordering uses for SemVer, NuGet, Pub and Hackage.
 */
export interface SemverLike {
  components: string[];
  /** Everything from the first non-digit, non-dot character on. */
  rest: string;
}

/**
 * Splits `s` into numeric components and the rest. With `maxComponents`,
 * components beyond it are moved to the front of the rest as `.N` (so
 * `1.2.3.4` has components 1,2,3 and rest `.4` in SemVer).
 */
export function parseSemverLike(
  s: string,
  maxComponents = Infinity,
): SemverLike {
  const body = s.startsWith('v') ? s.slice(1) : s;
  const components: string[] = [];
  let current = '';
  let i = 0;
  for (; i < body.length; i++) {
    const ch = body[i]!;
    if (ch >= '0' && ch <= '9') {
      current += ch;
      continue;
    }
    if (current !== '') components.push(current);
    current = '';
    if (ch !== '.') break;
  }
  if (i >= body.length && current !== '') components.push(current);
  let rest = i < body.length ? body.slice(i) : '';
  if (components.length > maxComponents) {
    const extra = components.splice(maxComponents);
    // Leading zeros go, as when a number is printed again.
    rest = extra.map((c) => `.${stripLeadingZeros(c)}`).join('') + rest;
  }
  return { components, rest };
}

/** Compares the numeric components, the shorter padded with zeros. */
export function compareComponents(a: SemverLike, b: SemverLike): Order {
  return compareNumberLists(a.components, b.components);
}

/**
 * Compares two "rest" strings by SemVer 2.0 pre-release precedence
 * (https://semver.org/#spec-item-11): build metadata (`+…`) is ignored, a
 * leading `-` is dropped, no pre-release sorts above any, identifiers
 * compare numerically when both are integers, else in ASCII order, a
 * number below a word, and a longer list above its prefix.
 */
export function comparePrerelease(a: string, b: string): Order {
  const x = dropBuild(a);
  const y = dropBuild(b);
  if (x === '' || y === '') {
    if (x === y) return 0;
    return x === '' ? 1 : -1;
  }
  return compareIdentifierLists(x.split('.'), y.split('.'));
}

/** The build metadata of a rest string (after the first `+`), or ''. */
export function buildOf(rest: string): string {
  const plus = rest.indexOf('+');
  return plus < 0 ? '' : rest.slice(plus + 1);
}

function dropBuild(rest: string): string {
  const plus = rest.indexOf('+');
  const pre = plus < 0 ? rest : rest.slice(0, plus);
  return pre.startsWith('-') ? pre.slice(1) : pre;
}

function compareIdentifierLists(a: string[], b: string[]): Order {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const c = compareIdentifiers(a[i]!, b[i]!);
    if (c !== 0) return c;
  }
  return a.length === b.length ? 0 : a.length > b.length ? 1 : -1;
}

function compareIdentifiers(a: string, b: string): Order {
  const aNum = isSignedInteger(a);
  const bNum = isSignedInteger(b);
  if (aNum && bNum) return compareSignedIntegers(a, b);
  if (!aNum && !bNum) return compareStrings(a, b);
  return aNum ? -1 : 1;
}

function stripLeadingZeros(digits: string): string {
  return digits.replace(LEADING_ZEROS_RE, '');
}
