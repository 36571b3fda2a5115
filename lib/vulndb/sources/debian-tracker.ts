import type { Advisory, AffectedPackage } from '../../core/advisory.js';
import {
  classifyLine,
  NOT_AFFECTED_TAGS,
  type Annotation,
  type PackageNote,
  type TrackerLine,
} from './debian-tracker-lines.js';

/**
 * Converts the Debian security tracker's `data/CVE/list` into advisories,
 * after osv.dev's `DEBIAN-CVE-*` records (shared/data/README.md §3).
 */

/** Debian release codename -> numeric release (OSV `Debian:<n>`). */
export const DEBIAN_RELEASES: Readonly<Record<string, string>> = {
  buster: '10',
  bullseye: '11',
  bookworm: '12',
  trixie: '13',
  forky: '14',
};

/** `Advisory.source` of every record this module makes. */
export const DEBIAN_TRACKER_SOURCE = 'debian-tracker';

/**
 * `modified` of every record. The list carries no dates, and a parse-time
 * clock would make each re-import look like a change of every advisory; a
 * constant keeps identical content identical, so importers must compare
 * content (not `modified`) to detect changes in this source.
 */
export const DEBIAN_TRACKER_MODIFIED = '1970-01-01T00:00:00Z';

/** A problem with one line; parsing carries on past it. */
export interface TrackerWarning {
  /** 1-based line number. */
  line: number;
  message: string;
}

/** Options of {@link parseDebianTrackerList}. */
export interface DebianTrackerOptions {
  /**
   * Codename -> release the advisories cover (default
   * {@link DEBIAN_RELEASES}). Lines of other releases are ignored. Add
   * `sid: 'sid'` to get `Debian:sid` entries from the unstable lines.
   */
  releases?: Record<string, string>;
}

/** The OSV ecosystem of a codename (`bookworm` -> `Debian:12`), if known. */
export function debianEcosystemForCodename(
  codename: string,
  releases: Readonly<Record<string, string>> = DEBIAN_RELEASES,
): string | undefined {
  const key = codename.trim().toLowerCase();
  // hasOwn: a codename like `constructor` must not hit Object.prototype.
  if (!Object.hasOwn(releases, key)) return undefined;
  return `Debian:${releases[key]}`;
}

/**
 * Parses the whole list. One advisory per CVE entry, id
 * `DEBIAN-CVE-YYYY-NNNN`, the CVE in `aliases`, `{DSA-… DLA-…}` in
 * `related`, the header description as `summary`.
 *
 * Each covered release gets one affected entry per source package, from
 * the package's `[release]` line, else from its unstable (`- pkg`) line:
 * a version -> `introduced: "0"` + `fixed`; `<no-dsa>`, `<postponed>`,
 * `<ignored>`, `<end-of-life>`, `<unfixed>`, `<removed>`,
 * `<undetermined>` -> `introduced: "0"` only; `<not-affected>` and `<itp>`
 * -> no entry. `databaseSpecific` of the entry holds `status` (the tag, or
 * `fixed`), and when given `urgency`, `note` (text in parentheses) and
 * `bugs`. Urgency is that of the line used: a `[release]` line does not
 * inherit the unstable line's urgency. `[experimental]` lines and releases
 * not in `options.releases` are ignored.
 *
 * Entries with no package line (only NOTE/TODO, RESERVED, NOT-FOR-US) or
 * whose packages affect no covered release still yield an advisory, with
 * empty `affected`, so that a re-import overwrites an older record that
 * did match. `REJECTED` entries are marked `withdrawn`.
 *
 * Malformed lines become warnings and are skipped; never throws.
 */
export function parseDebianTrackerList(
  text: string,
  options: DebianTrackerOptions = {},
): { advisories: Advisory[]; warnings: TrackerWarning[] } {
  const releases = options.releases ?? DEBIAN_RELEASES;
  const warnings: TrackerWarning[] = [];
  const entries = readEntries(text, warnings);
  const advisories = entries.map((entry) => toAdvisory(entry, releases));
  return { advisories, warnings };
}

interface Entry {
  cve: string;
  summary: string | undefined;
  related: string[];
  notes: PackageNote[];
  rejected: boolean;
  notForUs: string | undefined;
}

/** Groups lines into entries; annotations of a skipped header are dropped. */
function readEntries(text: string, warnings: TrackerWarning[]): Entry[] {
  const entries: Entry[] = [];
  const seen = new Set<string>();
  // undefined while before the first header or inside a skipped entry.
  let current: Entry | undefined;
  let skipping = false;
  text.split('\n').forEach((raw, index) => {
    const line = index + 1;
    const parsed = classifyLine(raw, line);
    if (parsed.kind === 'blank' || parsed.kind === 'comment') return;
    if (parsed.kind === 'header' && !seen.has(parsed.cve)) {
      current = newEntry(parsed.cve, parsed.summary);
      entries.push(current);
      seen.add(parsed.cve);
      skipping = false;
      return;
    }
    if (
      parsed.kind === 'header' ||
      parsed.kind === 'unassigned' ||
      parsed.kind === 'invalid-header'
    ) {
      warnings.push({ line, message: skipReason(parsed) });
      current = undefined;
      skipping = true;
      return;
    }
    if (current !== undefined) {
      addAnnotation(current, parsed, line, warnings);
    } else if (!skipping) {
      warnings.push({ line, message: 'annotation before any entry header' });
    }
  });
  return entries;
}

function skipReason(parsed: TrackerLine): string {
  if (parsed.kind === 'header') {
    return `second entry for ${parsed.cve}; entry skipped`;
  }
  if (parsed.kind === 'invalid-header')
    return `${parsed.message}; entry skipped`;
  return 'entry without a CVE id; entry skipped';
}

function newEntry(cve: string, summary: string | undefined): Entry {
  return {
    cve,
    summary,
    related: [],
    notes: [],
    rejected: false,
    notForUs: undefined,
  };
}

function addAnnotation(
  entry: Entry,
  parsed: Annotation,
  line: number,
  warnings: TrackerWarning[],
): void {
  switch (parsed.kind) {
    case 'xref':
      entry.related.push(
        ...parsed.ids.filter((id) => !entry.related.includes(id)),
      );
      return;
    case 'package':
      addNote(entry, parsed.note, warnings);
      return;
    case 'flag':
      if (parsed.flag === 'rejected') entry.rejected = true;
      return;
    case 'not-for-us':
      entry.notForUs = parsed.text;
      return;
    case 'invalid':
      warnings.push({ line, message: parsed.message });
      return;
  }
}

function addNote(
  entry: Entry,
  note: PackageNote,
  warnings: TrackerWarning[],
): void {
  if (note.release === 'experimental') return;
  const duplicate = entry.notes.find(
    (n) => n.pkg === note.pkg && n.release === note.release,
  );
  if (duplicate !== undefined) {
    const where = note.release ?? 'unstable';
    warnings.push({
      line: note.line,
      message: `second ${where} line for ${note.pkg} ignored (first on line ${duplicate.line})`,
    });
    return;
  }
  entry.notes.push(note);
}

function toAdvisory(
  entry: Entry,
  releases: Readonly<Record<string, string>>,
): Advisory {
  const advisory: Advisory = {
    id: `DEBIAN-${entry.cve}`,
    source: DEBIAN_TRACKER_SOURCE,
    modified: DEBIAN_TRACKER_MODIFIED,
    aliases: [entry.cve],
    related: entry.related,
    summary: entry.summary,
    severity: [],
    affected: affectedOf(entry.notes, releases),
  };
  if (entry.rejected) advisory.withdrawn = DEBIAN_TRACKER_MODIFIED;
  if (entry.notForUs !== undefined) {
    advisory.databaseSpecific = { notForUs: entry.notForUs };
  }
  return advisory;
}

/** One entry per (package, covered release), packages in list order. */
function affectedOf(
  notes: PackageNote[],
  releases: Readonly<Record<string, string>>,
): AffectedPackage[] {
  const packages = [...new Set(notes.map((n) => n.pkg))];
  const affected: AffectedPackage[] = [];
  for (const pkg of packages) {
    const sid = notes.find((n) => n.pkg === pkg && n.release === undefined);
    for (const [codename, release] of Object.entries(releases)) {
      const own = notes.find((n) => n.pkg === pkg && n.release === codename);
      const note = own ?? sid;
      if (note === undefined) continue;
      const entry = affectedEntry(note, `Debian:${release}`);
      if (entry !== undefined) affected.push(entry);
    }
  }
  return affected;
}

function affectedEntry(
  note: PackageNote,
  ecosystem: string,
): AffectedPackage | undefined {
  if (note.tag !== undefined && NOT_AFFECTED_TAGS.has(note.tag))
    return undefined;
  const events =
    note.fixedVersion === undefined
      ? [{ introduced: '0' }]
      : [{ introduced: '0' }, { fixed: note.fixedVersion }];
  const databaseSpecific: Record<string, unknown> = {
    status: note.tag ?? 'fixed',
  };
  if (note.urgency !== undefined) databaseSpecific['urgency'] = note.urgency;
  if (note.note !== undefined) databaseSpecific['note'] = note.note;
  if (note.bugs.length > 0) databaseSpecific['bugs'] = note.bugs;
  return {
    ecosystem,
    name: note.pkg,
    ranges: [{ type: 'ECOSYSTEM', events }],
    versions: [],
    databaseSpecific,
  };
}
