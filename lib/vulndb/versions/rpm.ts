import { compareDigits, compareStrings, type Order } from './digits.js';

/**
 * RPM version order: `[epoch:]version[-release]`, each part compared with
 * rpm's `rpmvercmp` (rpm-software-management/rpm `rpmio/rpmvercmp.c`):
 * separators (anything but ASCII letters, digits, `~` and `^`) only split
 * segments; `~` sorts before everything, even the end (`1.0~rc1` <
 * `1.0`); `^` sorts after the end but before anything else (`1.0` <
 * `1.0^git1` < `1.0.1`); digit runs compare as numbers of any length and
 * beat letter runs; letter runs compare in ASCII order.
 *
 * Splitting follows osv.dev (osv-scalibr), which the AlmaLinux/Rocky/Red
 * Hat OSV data is published for: the epoch is the text before the first
 * `:` when it is all digits (else there is none, and a missing epoch is
 * 0); the release starts at the first `-` and keeps it, so `1` < `1-`
 * (rpm itself treats the two as equal).
 */
export function compareRpm(a: string, b: string): Order {
  const x = splitEvr(a);
  const y = splitEvr(b);
  return (
    rpmvercmp(x.epoch, y.epoch) ||
    rpmvercmp(x.version, y.version) ||
    rpmvercmp(x.release, y.release)
  );
}

/** A non-empty version without whitespace: rpm accepts any such string. */
export function isValidRpm(v: string): boolean {
  return v.length > 0 && !WHITESPACE_RE.test(v);
}

/** The parts of an `[epoch:]version[-release]` string (see compareRpm). */
export interface Evr {
  epoch: string;
  version: string;
  /** '' or the release with its leading `-`. */
  release: string;
}

/** Splits an EVR string the way {@link compareRpm} reads it. */
export function splitEvr(v: string): Evr {
  const colon = v.indexOf(':');
  const epochText = colon < 0 ? '' : v.slice(0, colon);
  const hasEpoch = colon >= 0 && EPOCH_RE.test(epochText);
  const rest = hasEpoch ? v.slice(colon + 1) : v;
  const hyphen = rest.indexOf('-');
  return {
    epoch: hasEpoch && epochText !== '' ? epochText : '0',
    version: hyphen < 0 ? rest : rest.slice(0, hyphen),
    release: hyphen < 0 ? '' : rest.slice(hyphen),
  };
}

const WHITESPACE_RE = /\s/;
const EPOCH_RE = /^[0-9]*$/;
const TILDE = 126;
const CARET = 94;

function isDigitCode(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isLetterCode(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

function isSkipped(c: number): boolean {
  return !isDigitCode(c) && !isLetterCode(c) && c !== TILDE && c !== CARET;
}

/** rpm's segment comparison; see {@link compareRpm}. */
export function rpmvercmp(a: string, b: string): Order {
  if (a === b) return 0;
  if (a === '' || b === '') return a === '' ? -1 : 1;
  let i = 0;
  let j = 0;
  for (;;) {
    while (i < a.length && isSkipped(a.charCodeAt(i))) i++;
    while (j < b.length && isSkipped(b.charCodeAt(j))) j++;
    const special = compareMarks(a, i, b, j);
    if (special === 'both') {
      i++;
      j++;
      continue;
    }
    if (special !== undefined) return special;
    if (i >= a.length || j >= b.length) break;
    const step = compareRuns(a, i, b, j);
    if (step.order !== 0) return step.order;
    i = step.i;
    j = step.j;
  }
  return compareRemaining(a.length - i, b.length - j);
}

/**
 * The `~` and `^` rules at positions i, j: 'both' when both strings carry
 * the same mark (skip it), an order when one does, undefined when neither.
 */
function compareMarks(
  a: string,
  i: number,
  b: string,
  j: number,
): Order | 'both' | undefined {
  const ca = a.charCodeAt(i);
  const cb = b.charCodeAt(j);
  if (ca === TILDE || cb === TILDE) {
    if (ca === cb) return 'both';
    return ca === TILDE ? -1 : 1;
  }
  if (ca === CARET || cb === CARET) {
    if (ca === cb) return 'both';
    // A caret is newer than the end of the other string, older than anything.
    if (ca === CARET) return j >= b.length ? 1 : -1;
    return i >= a.length ? -1 : 1;
  }
  return undefined;
}

/** Compares the digit or letter runs starting at i and j. */
function compareRuns(
  a: string,
  i: number,
  b: string,
  j: number,
): { order: Order; i: number; j: number } {
  const isNumeric = isDigitCode(a.charCodeAt(i));
  const inRun = isNumeric ? isDigitCode : isLetterCode;
  let ei = i;
  while (ei < a.length && inRun(a.charCodeAt(ei))) ei++;
  let ej = j;
  while (ej < b.length && inRun(b.charCodeAt(ej))) ej++;
  if (ej === j) return { order: isNumeric ? 1 : -1, i: ei, j: ej };
  const x = a.slice(i, ei);
  const y = b.slice(j, ej);
  const order = isNumeric ? compareDigits(x, y) : compareStrings(x, y);
  return { order, i: ei, j: ej };
}

function compareRemaining(restA: number, restB: number): Order {
  return restA === restB ? 0 : restA > restB ? 1 : -1;
}
