import { open, readdir, readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Logger } from 'pino';
import type { Advisory } from '../core/advisory.js';
import { messageOf, VulnDataError } from '../core/errors.js';
import type { ImportCounts, VulnStore } from '../storage/ports.js';
import { parseDebianTrackerList } from './sources/debian-tracker.js';
import { parseOsvRecord, readOsvDirectory } from './sources/osv.js';

/** A problem with one file or record; the import goes on without it. */
export interface ImportWarning {
  file: string;
  line?: number | undefined;
  message: string;
}

export interface ImportResult {
  importId: number;
  counts: ImportCounts;
  warnings: ImportWarning[];
  durationMs: number;
}

export interface ImportOptions {
  logger: Logger;
  /** Called after each batch with the running count of records read. */
  onProgress?: (read: number, file: string) => void;
  batchSize?: number;
}

const TRACKER_FILE_RE = /^(list|CVE-list.*)$/;
const CVE_HEAD_RE = /^CVE-\d{4}-\d+/;
const DEFAULT_BATCH = 500;

/**
 * Imports vulnerability data from files and directories: OSV JSON records
 * (one per file, any depth) and Debian security tracker `data/CVE/list`
 * files, all converted to the OSV model. Re-importing the same data changes
 * nothing. A malformed record is skipped with a warning naming its file; an
 * unreadable path fails the import, which is then recorded as failed so the
 * previous snapshot stays the one verdicts cite.
 */
export async function importVulnData(
  store: VulnStore,
  paths: readonly string[],
  options: ImportOptions,
): Promise<ImportResult> {
  const started = performance.now();
  const importId = await store.beginImport(paths.map((p) => p));
  const counts: ImportCounts = {
    added: 0,
    changed: 0,
    unchanged: 0,
    withdrawn: 0,
    skipped: 0,
  };
  const warnings: ImportWarning[] = [];
  const batch: Advisory[] = [];
  let read = 0;
  const flush = async (file: string): Promise<void> => {
    if (batch.length === 0) return;
    const c = await store.upsert(batch.splice(0), importId);
    counts.added += c.added;
    counts.changed += c.changed;
    counts.unchanged += c.unchanged;
    counts.withdrawn += c.withdrawn;
    options.onProgress?.(read, file);
  };
  try {
    for (const path of paths) {
      for await (const item of readSource(path)) {
        if ('warning' in item) {
          counts.skipped++;
          warnings.push(item.warning);
          options.logger.warn(
            { ...item.warning, reason: item.warning.message },
            'skipped an invalid record',
          );
          continue;
        }
        batch.push(item.advisory);
        read++;
        if (batch.length >= (options.batchSize ?? DEFAULT_BATCH))
          await flush(item.file);
      }
      await flush(path);
    }
  } catch (err: unknown) {
    await store.finishImport(importId, 'failed', counts, [
      ...warnings,
      { file: '', message: messageOf(err) },
    ]);
    throw err;
  }
  await store.finishImport(importId, 'done', counts, warnings);
  return {
    importId,
    counts,
    warnings,
    durationMs: performance.now() - started,
  };
}

type SourceItem =
  { advisory: Advisory; file: string } | { warning: ImportWarning };

async function* readSource(path: string): AsyncGenerator<SourceItem> {
  let info;
  try {
    info = await stat(path);
  } catch (err: unknown) {
    throw new VulnDataError(
      'SOURCE_UNREADABLE',
      `cannot read ${path}: ${messageOf(err)}`,
      { cause: err },
    );
  }
  if (!info.isDirectory()) {
    yield* readFileSource(path);
    return;
  }
  for (const name of (await readdir(path)).sort()) {
    if (TRACKER_FILE_RE.test(name)) yield* readTrackerFile(join(path, name));
  }
  for await (const result of readOsvDirectory(path)) {
    if (result.advisory) yield { advisory: result.advisory, file: result.file };
    else
      yield {
        warning: {
          file: result.file,
          message: result.error?.message ?? 'unreadable',
        },
      };
  }
}

async function* readFileSource(path: string): AsyncGenerator<SourceItem> {
  if (path.endsWith('.json')) {
    try {
      yield {
        advisory: parseOsvRecord(JSON.parse(await readFile(path, 'utf8'))),
        file: path,
      };
    } catch (err: unknown) {
      yield { warning: { file: path, message: messageOf(err) } };
    }
    return;
  }
  if (TRACKER_FILE_RE.test(basename(path)) || (await startsWithCve(path))) {
    yield* readTrackerFile(path);
    return;
  }
  throw new VulnDataError(
    'SOURCE_UNKNOWN',
    `${path}: not an OSV JSON record nor a Debian tracker list`,
  );
}

async function* readTrackerFile(path: string): AsyncGenerator<SourceItem> {
  const text = await readFile(path, 'utf8');
  const { advisories, warnings } = parseDebianTrackerList(text);
  for (const w of warnings)
    yield { warning: { file: path, line: w.line, message: w.message } };
  for (const advisory of advisories) yield { advisory, file: path };
}

async function startsWithCve(path: string): Promise<boolean> {
  const file = await open(path);
  try {
    const { buffer, bytesRead } = await file.read(Buffer.alloc(64), 0, 64, 0);
    return CVE_HEAD_RE.test(buffer.subarray(0, bytesRead).toString('utf8'));
  } finally {
    await file.close();
  }
}
