import { dpkgVersionProblem } from '../versions/dpkg.js';

/**
 * Line grammar of the Debian security tracker's `data/CVE/list`
 * (https://security-team.debian.org/security_tracker.html, "data/CVE/list"):
 * an unindented header `CVE-YYYY-NNNN (description ...)` followed by
 * indented annotations. This module classifies one line; assembling
 * entries into advisories is in `debian-tracker.ts`.
 */

const HEADER_RE = /^(CVE-\d{4}-\d{4,})(?:\s+(.*))?$/;
/** Placeholder ids (`CVE-2025-XXXX`) and tracker-internal `TEMP-` ids. */
const UNASSIGNED_HEADER_RE = /^(?:CVE-\d{4}-X+|TEMP-\d+-\w+)(?:\s|$)/;
const PACKAGE_RE =
  /^(?:\[([a-z0-9-]+)\]\s+)?-\s+([a-z0-9][a-z0-9+.-]*)\s+(?:<([a-z-]+)>|(\S+))(?:\s+\((.*)\))?$/;
const XREF_RE = /^\{(.*)\}$/;
const COMMENT_RE = /^(?:NOTE|TODO|HELP):/;
const NOT_FOR_US_RE = /^NOT-FOR-US:\s*(.*)$/;
const URGENCY_RE = /^(?:unimportant|low|medium|high)\**$/;
const BUG_RE = /^bug #(\d+)$/;
const WHITESPACE_RE = /\s+/;
/** Annotations are indented (a tab in the real file); headers are not. */
const INDENTED_RE = /^\s/;

/** Tags meaning "the release is affected and no fix applies (yet)". */
export const OPEN_TAGS = new Set([
  'no-dsa',
  'postponed',
  'ignored',
  'end-of-life',
  'unfixed',
  'removed',
  'undetermined',
]);
/** Tags meaning "no affected package in that release". */
export const NOT_AFFECTED_TAGS = new Set(['not-affected', 'itp']);

/** One `[release] - package version|<tag> (notes)` annotation. */
export interface PackageNote {
  line: number;
  /** Codename from `[release]`; undefined for the unstable (sid) line. */
  release: string | undefined;
  pkg: string;
  /** Fixed version, when the line gives one instead of a tag. */
  fixedVersion: string | undefined;
  /** `no-dsa`, `unfixed`, … when the line gives a tag. */
  tag: string | undefined;
  urgency: string | undefined;
  /** Free text in the parentheses, without urgency and bug numbers. */
  note: string | undefined;
  bugs: string[];
}

/** An indented line that belongs to the entry above it. */
export type Annotation =
  | { kind: 'xref'; ids: string[] }
  | { kind: 'package'; note: PackageNote }
  | { kind: 'flag'; flag: 'reserved' | 'rejected' }
  | { kind: 'not-for-us'; text: string }
  | { kind: 'invalid'; message: string };

/** What one line of the list is. */
export type TrackerLine =
  | { kind: 'blank' }
  | { kind: 'comment' }
  | { kind: 'header'; cve: string; summary: string | undefined }
  | { kind: 'unassigned' }
  | { kind: 'invalid-header'; message: string }
  | Annotation;

/** Classifies line `lineNumber` (1-based) of the list. Never throws. */
export function classifyLine(raw: string, lineNumber: number): TrackerLine {
  const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
  if (text.trim() === '') return { kind: 'blank' };
  if (!INDENTED_RE.test(text)) return classifyHeader(text);
  return classifyAnnotation(text.trim(), lineNumber);
}

function classifyHeader(text: string): TrackerLine {
  const match = HEADER_RE.exec(text.trimEnd());
  if (match !== null) {
    return {
      kind: 'header',
      cve: match[1] ?? '',
      summary: summaryOf(match[2]),
    };
  }
  if (UNASSIGNED_HEADER_RE.test(text)) return { kind: 'unassigned' };
  return {
    kind: 'invalid-header',
    message: `malformed entry header: ${clip(text)}`,
  };
}

/** `(text ...)` and `[text]` both carry the description; strip the wrapper. */
function summaryOf(rest: string | undefined): string | undefined {
  const text = rest?.trim();
  if (text === undefined || text === '') return undefined;
  const wrapped =
    (text.startsWith('(') && text.endsWith(')')) ||
    (text.startsWith('[') && text.endsWith(']'));
  const inner = wrapped ? text.slice(1, -1).trim() : text;
  return inner === '' ? undefined : inner;
}

function classifyAnnotation(text: string, lineNumber: number): TrackerLine {
  if (COMMENT_RE.test(text)) return { kind: 'comment' };
  if (text === 'RESERVED') return { kind: 'flag', flag: 'reserved' };
  if (text === 'REJECTED') return { kind: 'flag', flag: 'rejected' };
  const notForUs = NOT_FOR_US_RE.exec(text);
  if (notForUs !== null) return { kind: 'not-for-us', text: notForUs[1] ?? '' };
  const xref = XREF_RE.exec(text);
  if (xref !== null) {
    const ids = (xref[1] ?? '').split(WHITESPACE_RE).filter((s) => s !== '');
    return { kind: 'xref', ids };
  }
  if (text.startsWith('-') || text.startsWith('[')) {
    return classifyPackage(text, lineNumber);
  }
  return { kind: 'invalid', message: `unknown annotation: ${clip(text)}` };
}

function classifyPackage(text: string, lineNumber: number): TrackerLine {
  const match = PACKAGE_RE.exec(text);
  if (match === null) {
    return {
      kind: 'invalid',
      message: `malformed package line: ${clip(text)}`,
    };
  }
  const [, release, pkg = '', tag, version, parens] = match;
  if (tag !== undefined && !OPEN_TAGS.has(tag) && !NOT_AFFECTED_TAGS.has(tag)) {
    return { kind: 'invalid', message: `unknown tag <${tag}> for ${pkg}` };
  }
  if (version !== undefined) {
    const problem = dpkgVersionProblem(version);
    if (problem !== undefined) {
      return {
        kind: 'invalid',
        message: `invalid fixed version ${version} for ${pkg}: ${problem}`,
      };
    }
  }
  const notes = splitNotes(parens);
  const note: PackageNote = {
    line: lineNumber,
    release,
    pkg,
    fixedVersion: version,
    tag,
    ...notes,
  };
  return { kind: 'package', note };
}

/** `(low; bug #123; Minor issue)` -> urgency, bug numbers, free text. */
function splitNotes(
  parens: string | undefined,
): Pick<PackageNote, 'urgency' | 'note' | 'bugs'> {
  let urgency: string | undefined;
  const bugs: string[] = [];
  const rest: string[] = [];
  for (const part of (parens ?? '').split(';')) {
    const token = part.trim();
    const bug = BUG_RE.exec(token);
    if (token === '') continue;
    if (urgency === undefined && URGENCY_RE.test(token)) urgency = token;
    else if (bug !== null) bugs.push(bug[1] ?? '');
    else rest.push(token);
  }
  const note = rest.length > 0 ? rest.join('; ') : undefined;
  return { urgency, note, bugs };
}

function clip(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
