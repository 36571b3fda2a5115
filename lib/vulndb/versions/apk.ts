import { compareDigits, compareStrings, type Order } from './digits.js';

/**
 * Alpine apk version order (apk-package(5):
 * `number{.number}...{letter}{_suffix{number}}...{~hash}{-r#}`), as
 * osv.dev orders the `Alpine:*` ecosystems: numbers compare as numbers,
 * except that after the first component one with a leading zero compares
 * as text (`1.02` < `1.1`); then the optional letter (none < a < z); then
 * the suffixes `_alpha` < `_beta` < `_pre` < `_rc` < (none) < `_cvs` <
 * `_svn` < `_git` < `_hg` < `_p`, each with its number; then `-rN`. The
 * commit hash is ignored. Text the grammar does not cover makes a version
 * invalid: two invalid versions compare as text, an invalid one sorts
 * below a valid one that is otherwise equal.
 */
export function compareApk(a: string, b: string): Order {
  const x = parseApk(a);
  const y = parseApk(b);
  if (x.isInvalid && y.isInvalid) return compareStrings(a, b);
  return (
    compareNumbers(x.numbers, y.numbers) ||
    compareLetters(x.letter, y.letter) ||
    compareSuffixes(x.suffixes, y.suffixes) ||
    compareDigits(x.release, y.release) ||
    compareRemainders(x.remainder, y.remainder)
  );
}

/** A version apk-tools accepts (`apk_version_validate`). */
export function isValidApk(v: string): boolean {
  return VALID_RE.test(v);
}

/** A version split by the grammar; see {@link compareApk}. */
interface ApkVersion {
  numbers: string[];
  letter: string;
  suffixes: Array<{ weight: number; number: string }>;
  release: string;
  remainder: string;
  isInvalid: boolean;
}

const SUFFIX_WEIGHTS = new Map([
  ['alpha', 0],
  ['beta', 1],
  ['pre', 2],
  ['rc', 3],
  ['', 4],
  ['cvs', 5],
  ['svn', 6],
  ['git', 7],
  ['hg', 8],
  ['p', 9],
]);
const NO_SUFFIX = { weight: 4, number: '0' };

const NUMBERS_RE = /^(?:[0-9]+\.?)*/;
const LETTER_RE = /^[a-z]/;
const SUFFIX_RE = /_(alpha|beta|pre|rc|cvs|svn|git|hg|p)([0-9]*)/g;
const HASH_RE = /^~[0-9a-f]+/;
const RELEASE_RE = /^-r([0-9]*)/;
const VALID_RE =
  /^[0-9]+(?:\.[0-9]+)*[a-z]?(?:_(?:alpha|beta|pre|rc|cvs|svn|git|hg|p)[0-9]*)*(?:~[0-9a-f]+)?(?:-r[0-9]+)?$/;

function parseApk(v: string): ApkVersion {
  const numbersText = NUMBERS_RE.exec(v)?.[0] ?? '';
  // A dot not followed by a digit ends the numbers (apk tolerates it).
  const numbers: string[] = [];
  for (const part of numbersText.split('.')) {
    if (part === '') break;
    numbers.push(part);
  }
  let rest = v.slice(numbersText.length);
  const letter = LETTER_RE.test(rest) ? rest.slice(0, 1) : '';
  rest = rest.slice(letter.length);
  const suffixes = parseSuffixes(rest);
  rest = suffixes.rest.slice(HASH_RE.exec(suffixes.rest)?.[0].length ?? 0);
  return { numbers, letter, suffixes: suffixes.list, ...parseRelease(rest) };
}

/**
 * Every `_suffixN` anywhere in `text`; only those at its start are
 * consumed (osv.dev's reading).
 */
function parseSuffixes(text: string): {
  list: ApkVersion['suffixes'];
  rest: string;
} {
  let rest = text;
  const list: ApkVersion['suffixes'] = [];
  for (const m of text.matchAll(SUFFIX_RE)) {
    list.push({
      weight: SUFFIX_WEIGHTS.get(m[1] ?? '') ?? NO_SUFFIX.weight,
      number: m[2] || '0',
    });
    if (rest.startsWith(m[0])) rest = rest.slice(m[0].length);
  }
  return { list, rest };
}

/** `-rN` and what follows it; text that is not `-rN` makes it invalid. */
function parseRelease(
  rest: string,
): Pick<ApkVersion, 'release' | 'remainder' | 'isInvalid'> {
  if (rest === '') return { release: '0', remainder: '', isInvalid: false };
  const release = RELEASE_RE.exec(rest);
  if (release === null) {
    return { release: '0', remainder: rest, isInvalid: true };
  }
  return {
    release: release[1] || '0',
    remainder: rest.slice(release[0].length),
    isInvalid: false,
  };
}

function compareNumbers(a: string[], b: string[]): Order {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i];
    const y = b[i];
    if (x === undefined || y === undefined) {
      // A missing component is 0, compared as a number.
      const c = compareDigits(x ?? '0', y ?? '0');
      if (c !== 0) return c;
      continue;
    }
    // After the first component, a leading zero makes it a decimal
    // fraction-like part compared as text (apk: `1.02` < `1.1`).
    const c =
      i > 0 && (x.startsWith('0') || y.startsWith('0'))
        ? compareStrings(x, y)
        : compareDigits(x, y);
    if (c !== 0) return c;
  }
  return 0;
}

function compareLetters(a: string, b: string): Order {
  if (a === '' || b === '') {
    if (a === b) return 0;
    return a === '' ? -1 : 1;
  }
  return compareStrings(a, b);
}

function compareSuffixes(
  a: ApkVersion['suffixes'],
  b: ApkVersion['suffixes'],
): Order {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i] ?? NO_SUFFIX;
    const y = b[i] ?? NO_SUFFIX;
    if (x.weight !== y.weight) return x.weight < y.weight ? -1 : 1;
    const c = compareDigits(x.number, y.number);
    if (c !== 0) return c;
  }
  return 0;
}

/** Text left over after `-rN`: a version without any sorts higher. */
function compareRemainders(a: string, b: string): Order {
  if ((a === '') === (b === '')) return 0;
  return a === '' ? 1 : -1;
}
