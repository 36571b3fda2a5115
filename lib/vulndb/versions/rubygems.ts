import {
  compareSignedIntegers,
  compareStrings,
  isSignedInteger,
  type Order,
} from './digits.js';

/**
 * RubyGems order (`Gem::Version#<=>`): the version is split into segments
 * at dots and between digits and letters (`1.0.a10` -> 1, 0, a, 10);
 * trailing zero segments are dropped from the release part and from the
 * pre-release part (which starts at the first non-numeric segment);
 * segments compare as numbers, words in ASCII order, and a word (a
 * pre-release) sorts below a number, so `1.0.a` < `1.0`.
 */
export function compareRubygems(a: string, b: string): Order {
  const x = segmentsOf(a);
  const y = segmentsOf(b);
  const n = Math.max(x.length, y.length);
  for (let i = 0; i < n; i++) {
    const sa = x[i] ?? '0';
    const sb = y[i] ?? '0';
    const aNum = isSignedInteger(sa);
    const bNum = isSignedInteger(sb);
    if (aNum !== bNum) return aNum ? 1 : -1;
    const c = aNum ? compareSignedIntegers(sa, sb) : compareStrings(sa, sb);
    if (c !== 0) return c;
  }
  return 0;
}

/** `Gem::Version::ANCHORED_VERSION_PATTERN`. */
export function isValidRubygems(v: string): boolean {
  return GEM_RE.test(v);
}

const GEM_RE =
  /^\s*[0-9]+(?:\.[0-9a-zA-Z]+)*(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?\s*$/;

function segmentsOf(version: string): string[] {
  const segments = canonicalize(version).split('.');
  const split = segments.findIndex((s) => !isSignedInteger(s));
  const release = split < 0 ? segments : segments.slice(0, split);
  const pre = split < 0 ? [] : segments.slice(split);
  return [...dropTrailingZeros(release), ...dropTrailingZeros(pre)];
}

/** Inserts a dot wherever digits and non-digits meet. */
function canonicalize(version: string): string {
  let out = '';
  let previousIsDigit = true;
  let atSegmentStart = true;
  for (const ch of version) {
    if (ch === '.') {
      out += '.';
      atSegmentStart = true;
      continue;
    }
    const isDigit = ch >= '0' && ch <= '9';
    if (!atSegmentStart && previousIsDigit !== isDigit) out += '.';
    out += ch;
    previousIsDigit = isDigit;
    atSegmentStart = false;
  }
  return out;
}

function dropTrailingZeros(segments: string[]): string[] {
  let end = segments.length;
  while (end > 0 && segments[end - 1] === '0') end--;
  return segments.slice(0, end);
}
