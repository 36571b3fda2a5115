import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type {
  Advisory,
  AdvisorySeverity,
  AffectedPackage,
} from '../../core/advisory.js';
import { messageOf, VulnDataError } from '../../core/errors.js';
import { osvRecordSchema, type OsvRecord } from './osv-schema.js';

/** `Advisory.source` when the caller names none. */
export const OSV_SOURCE = 'osv';

/** How many schema problems an ADVISORY_INVALID message lists. */
const MAX_LISTED_ISSUES = 3;
const JSON_FILE_RE = /\.json$/;
/** A UTF-8 byte order mark is not JSON, but some editors write one. */
const BOM_RE = /^\uFEFF/;

/** One file of {@link readOsvDirectory}: an advisory or why there is none. */
export interface OsvFileResult {
  /** Path of the file: `dir` joined with its path below `dir`. */
  file: string;
  advisory?: Advisory;
  error?: VulnDataError;
}

/**
 * Validates one parsed OSV JSON record (schema 1.7) and converts it to the
 * internal model. Throws VulnDataError('ADVISORY_INVALID') naming the
 * first problems with their JSON paths. Affected entries without a
 * `package` (GIT-only records, e.g. osv.dev's NVD conversions) are dropped:
 * they can only be matched by commit, which Customs does not do.
 */
export function parseOsvRecord(json: unknown, source = OSV_SOURCE): Advisory {
  const result = osvRecordSchema.safeParse(json);
  if (!result.success) {
    const issues = result.error.issues.map(
      (i) => `${formatPath(i.path)}: ${i.message}`,
    );
    const listed = issues.slice(0, MAX_LISTED_ISSUES).join('; ');
    const more =
      issues.length > MAX_LISTED_ISSUES
        ? ` (+${issues.length - MAX_LISTED_ISSUES} more)`
        : '';
    throw new VulnDataError(
      'ADVISORY_INVALID',
      `invalid OSV record ${idOf(json)}: ${listed}${more}`,
      { details: { id: idOf(json), issues } },
    );
  }
  return toAdvisory(result.data, source);
}

/**
 * Walks `dir` recursively and yields every `*.json` file, in a stable
 * order (entries sorted by code unit at each level, so runs on any
 * machine or locale agree). A file that cannot be read or is not a valid
 * record yields `error` (ADVISORY_INVALID or SOURCE_UNREADABLE) and the
 * walk goes on. Symbolic links are not followed. Throws
 * VulnDataError('SOURCE_UNREADABLE') when a directory cannot be listed.
 */
export async function* readOsvDirectory(
  dir: string,
): AsyncGenerator<OsvFileResult> {
  for await (const file of walkJsonFiles(dir)) {
    yield await readOsvFile(file);
  }
}

async function* walkJsonFiles(dir: string): AsyncGenerator<string> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err: unknown) {
    throw new VulnDataError(
      'SOURCE_UNREADABLE',
      `cannot list ${dir}: ${messageOf(err)}`,
      { cause: err },
    );
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walkJsonFiles(path);
    else if (entry.isFile() && JSON_FILE_RE.test(entry.name)) yield path;
  }
}

async function readOsvFile(file: string): Promise<OsvFileResult> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err: unknown) {
    const error = new VulnDataError(
      'SOURCE_UNREADABLE',
      `cannot read ${file}: ${messageOf(err)}`,
      { cause: err },
    );
    return { file, error };
  }
  return parseOsvText(text, file);
}

/**
 * Parses the text of one OSV JSON record (a UTF-8 byte order mark is
 * tolerated); `file` names it in errors. Never throws: a malformed record
 * comes back with an ADVISORY_INVALID error.
 */
export function parseOsvText(text: string, file: string): OsvFileResult {
  let json: unknown;
  try {
    json = JSON.parse(text.replace(BOM_RE, ''));
  } catch (err: unknown) {
    const error = new VulnDataError(
      'ADVISORY_INVALID',
      `invalid JSON in ${file}: ${messageOf(err)}`,
      { cause: err },
    );
    return { file, error };
  }
  try {
    return { file, advisory: parseOsvRecord(json) };
  } catch (err: unknown) {
    if (err instanceof VulnDataError) return { file, error: err };
    throw err;
  }
}

function toAdvisory(record: OsvRecord, source: string): Advisory {
  return {
    id: record.id,
    source,
    modified: record.modified,
    published: record.published,
    withdrawn: record.withdrawn,
    aliases: record.aliases ?? [],
    related: record.related ?? [],
    summary: record.summary,
    details: record.details,
    severity: record.severity ?? [],
    affected: (record.affected ?? []).flatMap(toAffected),
    databaseSpecific: record.database_specific ?? undefined,
  };
}

type OsvAffected = NonNullable<OsvRecord['affected']>[number];

function toAffected(affected: OsvAffected): AffectedPackage[] {
  if (affected.package === undefined) return [];
  const severity: AdvisorySeverity[] | undefined =
    affected.severity ?? undefined;
  return [
    {
      ecosystem: affected.package.ecosystem,
      name: affected.package.name,
      purl: affected.package.purl,
      ranges: (affected.ranges ?? []).map((r) => ({
        type: r.type,
        events: r.events,
      })),
      versions: affected.versions ?? [],
      databaseSpecific: affected.database_specific ?? undefined,
      ecosystemSpecific: affected.ecosystem_specific ?? undefined,
      severity,
    },
  ];
}

function idOf(json: unknown): string {
  if (typeof json === 'object' && json !== null && 'id' in json) {
    const { id } = json;
    if (typeof id === 'string' && id !== '') return id;
  }
  return '(no id)';
}

function formatPath(path: ReadonlyArray<PropertyKey>): string {
  if (path.length === 0) return '(record)';
  return path
    .map((p, i) =>
      typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`,
    )
    .join('');
}
