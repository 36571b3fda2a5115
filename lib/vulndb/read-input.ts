import { open, readdir, readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Advisory } from '../core/advisory.js';
import { messageOf, VulnDataError } from '../core/errors.js';
import { isAlpineSecdb, parseAlpineSecdb } from './sources/alpine-secdb.js';
import { parseDebianTrackerList } from './sources/debian-tracker.js';
import {
  isDebianTrackerJson,
  parseDebianTrackerJson,
} from './sources/debian-tracker-json.js';
import {
  isNodejsCoreAdvisory,
  isNodejsCoreIndex,
  isNodejsNpmAdvisory,
  parseNodejsCoreAdvisory,
  parseNodejsCoreIndex,
  parseNodejsNpmAdvisory,
} from './sources/nodejs-security-wg.js';
import { parseOsvRecord } from './sources/osv.js';
import { readOsvZip } from './sources/osv-zip.js';

/** A problem with one file or record; the import goes on without it. */
export interface ImportWarning {
  file: string;
  line?: number | undefined;
  message: string;
}

/** One item read from an input: an advisory, or why a record was skipped. */
export type SourceItem =
  { advisory: Advisory; file: string } | { warning: ImportWarning };

const TRACKER_FILE_RE = /^(list|CVE-list.*)$/;
const CVE_HEAD_RE = /^CVE-\d{4}-\d+/;
const BOM_RE = /^\uFEFF/;
const ZIP_MAGIC = Buffer.from('PK\x03\x04', 'latin1');

/**
 * Reads one input, a file or a directory (walked recursively in code-unit
 * order, symbolic links not followed), recognising each file by name and
 * content: OSV JSON records and OSV `all.zip` archives, Debian tracker
 * `data/CVE/list` files and JSON exports, Alpine secdb documents, Node.js
 * security-wg advisories. Inside a directory, other files are ignored; a
 * single file of no known kind throws VulnDataError('SOURCE_UNKNOWN'). A
 * malformed record yields a warning naming its file. An unreadable path
 * throws SOURCE_UNREADABLE, a damaged archive ARCHIVE_INVALID.
 */
export async function* readInput(path: string): AsyncGenerator<SourceItem> {
  let isDirectory: boolean;
  try {
    isDirectory = (await stat(path)).isDirectory();
  } catch (err: unknown) {
    throw unreadable(path, err);
  }
  if (!isDirectory) {
    yield* readFileInput(path, true);
    return;
  }
  for await (const file of walk(path)) yield* readFileInput(file, false);
}

async function* walk(dir: string): AsyncGenerator<string> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err: unknown) {
    throw unreadable(dir, err);
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(path);
    else if (entry.isFile()) yield path;
  }
}

async function* readFileInput(
  path: string,
  isExplicit: boolean,
): AsyncGenerator<SourceItem> {
  const name = basename(path);
  const head = await readHead(path);
  if (name.endsWith('.zip') || head.subarray(0, 4).equals(ZIP_MAGIC)) {
    for await (const r of readOsvZip(path)) yield toItem(r);
  } else if (name.endsWith('.json')) {
    yield* readJsonFile(path);
  } else if (
    TRACKER_FILE_RE.test(name) ||
    (isExplicit && CVE_HEAD_RE.test(head.toString('utf8')))
  ) {
    yield* readTrackerList(path);
  } else if (isExplicit && head.toString('utf8').trimStart().startsWith('{')) {
    yield* readJsonFile(path);
  } else if (isExplicit) {
    throw new VulnDataError(
      'SOURCE_UNKNOWN',
      `${path}: not OSV JSON, an OSV zip archive, a Debian tracker list or export, an Alpine secdb or a Node.js security-wg advisory`,
    );
  }
}

async function* readJsonFile(path: string): AsyncGenerator<SourceItem> {
  let json: unknown;
  try {
    json = JSON.parse((await readFile(path, 'utf8')).replace(BOM_RE, ''));
  } catch (err: unknown) {
    if (err instanceof SyntaxError) {
      yield warning(path, `invalid JSON: ${err.message}`);
      return;
    }
    throw unreadable(path, err);
  }
  let parsed: ParsedDocument;
  try {
    parsed = parseJsonDocument(json, path);
  } catch (err: unknown) {
    if (!(err instanceof VulnDataError)) throw err;
    yield warning(path, err.message);
    return;
  }
  for (const problem of parsed.problems) yield warning(path, problem);
  for (const advisory of parsed.advisories) yield { advisory, file: path };
}

/** A document's advisories, and problems with parts of it that were skipped. */
interface ParsedDocument {
  advisories: Advisory[];
  problems: string[];
}

/** The advisories of one JSON document, by its shape. */
function parseJsonDocument(json: unknown, path: string): ParsedDocument {
  const whole = (advisories: Advisory[]): ParsedDocument => ({
    advisories,
    problems: [],
  });
  if (isAlpineSecdb(json)) return whole(parseAlpineSecdb(json));
  if (isNodejsNpmAdvisory(json)) return whole([parseNodejsNpmAdvisory(json)]);
  if (isNodejsCoreAdvisory(json)) {
    return whole([parseNodejsCoreAdvisory(json, path)]);
  }
  if (isNodejsCoreIndex(json)) return whole(parseNodejsCoreIndex(json));
  if (isOsvLike(json)) return whole([parseOsvRecord(json)]);
  if (isDebianTrackerJson(json)) {
    const { advisories, warnings } = parseDebianTrackerJson(json);
    return { advisories, problems: warnings.map((w) => w.message) };
  }
  throw new VulnDataError(
    'ADVISORY_INVALID',
    'not a vulnerability record of a known format',
  );
}

function isOsvLike(json: unknown): boolean {
  return typeof json === 'object' && json !== null && 'id' in json;
}

async function* readTrackerList(path: string): AsyncGenerator<SourceItem> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err: unknown) {
    throw unreadable(path, err);
  }
  const { advisories, warnings } = parseDebianTrackerList(text);
  for (const w of warnings) yield warning(path, w.message, w.line);
  for (const advisory of advisories) yield { advisory, file: path };
}

function toItem(r: {
  file: string;
  advisory?: Advisory;
  error?: VulnDataError;
}): SourceItem {
  if (r.advisory) return { advisory: r.advisory, file: r.file };
  return warning(r.file, r.error?.message ?? 'unreadable');
}

function warning(file: string, message: string, line?: number): SourceItem {
  return { warning: { file, line, message } };
}

async function readHead(path: string): Promise<Buffer> {
  try {
    const file = await open(path);
    try {
      const { buffer, bytesRead } = await file.read(Buffer.alloc(64), 0, 64, 0);
      return buffer.subarray(0, bytesRead);
    } finally {
      await file.close();
    }
  } catch (err: unknown) {
    throw unreadable(path, err);
  }
}

function unreadable(path: string, err: unknown): VulnDataError {
  return new VulnDataError(
    'SOURCE_UNREADABLE',
    `cannot read ${path}: ${messageOf(err)}`,
    { cause: err },
  );
}
