import { resolve } from 'node:path';
import type { Logger } from 'pino';
import { messageOf, VulnDataError } from '../core/errors.js';
import type {
  CommittedImport,
  FeedCounts,
  ImportCounts,
  StagedAdvisory,
  VulnStore,
} from '../storage/ports.js';
import { normalizePackageName } from './names.js';
import { readInput, type ImportWarning } from './read-input.js';

export type { ImportWarning } from './read-input.js';

/** What one input (feed) contributed to an import. */
export interface FeedSummary extends FeedCounts {
  skipped: number;
}

export interface ImportResult {
  importId: number;
  /** The data snapshot the import created (verdicts cite it). */
  snapshotId: number;
  counts: ImportCounts;
  /** Per input, in the order given. */
  feeds: FeedSummary[];
  /** Records read (valid ones, before de-duplication). */
  read: number;
  /** (ecosystem, package) keys named by changed records. */
  changedPackages: number;
  warnings: ImportWarning[];
  durationMs: number;
}

/** A local copy of a mirror file; `cleanup` removes it. */
export interface Download {
  path: string;
  cleanup(): Promise<void>;
}

export interface ImportOptions {
  logger: Logger;
  /** Called after each staged batch with the records read so far. */
  onProgress?: (read: number, input: string) => void;
  batchSize?: number;
  /**
   * Fetches an `http(s)://` input to a local file (lib/outbound). Without
   * it, URL inputs fail: air-gapped first, files need nothing.
   */
  download?: (url: string) => Promise<Download>;
}

const DEFAULT_BATCH = 500;
const URL_RE = /^https?:\/\//i;

/**
 * Imports vulnerability data from inputs, each a file, a directory or a
 * mirror URL (see readInput for the formats), all converted to the OSV
 * model, as one atomic snapshot: records are staged, then switched in by
 * one transaction. Each input is a feed, read as complete: an active
 * record a previous import of the same feed delivered and this one does
 * not is withdrawn (unless a record of the feed was skipped as malformed:
 * it may be the missing one, so the feed withdraws nothing). Re-importing the same data changes nothing. A
 * malformed record is skipped with a warning naming its file; an
 * unreadable input or a damaged archive fails the whole import (nothing
 * of it becomes visible, the previous snapshot stays in force) and throws.
 */
export async function importVulnData(
  store: VulnStore,
  inputs: readonly string[],
  options: ImportOptions,
): Promise<ImportResult> {
  const started = performance.now();
  const feeds = inputs.map(feedOf);
  const importId = await store.beginImport(feeds);
  const run = new ImportRun(store, importId, options);
  try {
    for (const [i, input] of inputs.entries()) {
      await run.readFeed(input, feeds[i]!);
    }
    await run.flush(feeds[feeds.length - 1] ?? '');
  } catch (err: unknown) {
    await store.failImport(importId, [
      ...run.warnings,
      { file: '', message: messageOf(err) },
    ]);
    throw err;
  }
  const { committed, summaries } = await run.commit(feeds);
  return {
    importId,
    snapshotId: committed.snapshotId,
    counts: totals(summaries),
    feeds: summaries,
    read: run.read,
    changedPackages: committed.changedPackages,
    warnings: run.warnings,
    durationMs: performance.now() - started,
  };
}

/**
 * The feed name of an input: a URL without credentials or query, or the
 * absolute path of a file or directory.
 */
export function feedOf(input: string): string {
  if (!URL_RE.test(input)) return resolve(input);
  const url = new URL(input);
  url.username = '';
  url.password = '';
  url.search = '';
  url.hash = '';
  return url.toString();
}

/** The staged-but-not-committed state of one import. */
class ImportRun {
  readonly warnings: ImportWarning[] = [];
  readonly skippedByFeed = new Map<string, number>();
  read = 0;
  readonly #batch: StagedAdvisory[] = [];

  constructor(
    private readonly store: VulnStore,
    private readonly importId: number,
    private readonly options: ImportOptions,
  ) {}

  async readFeed(input: string, feed: string): Promise<void> {
    const local = URL_RE.test(input) ? await this.#download(input) : undefined;
    try {
      for await (const item of readInput(local?.path ?? input)) {
        if ('warning' in item) {
          const w = {
            ...item.warning,
            file: rename(item.warning.file, local?.path, feed),
          };
          this.warnings.push(w);
          this.skippedByFeed.set(feed, (this.skippedByFeed.get(feed) ?? 0) + 1);
          this.options.logger.warn(
            { file: w.file, line: w.line, reason: w.message },
            'skipped an invalid record',
          );
          continue;
        }
        this.#batch.push(toStaged(item.advisory, feed));
        this.read++;
        if (this.#batch.length >= (this.options.batchSize ?? DEFAULT_BATCH))
          await this.flush(input);
      }
      await this.flush(input);
    } finally {
      await local?.cleanup();
    }
  }

  /** Commits the staged records; per-feed counts with their skips. */
  async commit(feeds: string[]): Promise<{
    committed: CommittedImport;
    summaries: FeedSummary[];
  }> {
    const committed = await this.store.commitImport(this.importId, {
      feeds,
      // A feed read with a skipped record is not known complete: a record
      // missing from it may be the malformed one, so nothing is withdrawn.
      withdrawFrom: feeds.filter((f) => !this.skippedByFeed.has(f)),
      skipped: this.warnings.length,
      warnings: this.warnings,
    });
    const summaries = committed.feeds.map((f) => ({
      ...f,
      skipped: this.skippedByFeed.get(f.feed) ?? 0,
    }));
    return { committed, summaries };
  }

  async flush(input: string): Promise<void> {
    if (this.#batch.length === 0) return;
    await this.store.stage(this.#batch.splice(0), this.importId);
    this.options.onProgress?.(this.read, input);
  }

  async #download(url: string): Promise<Download> {
    if (this.options.download === undefined) {
      throw new VulnDataError(
        'MIRROR_UNAVAILABLE',
        `${feedOf(url)}: importing from a URL needs the mirror fetcher; give a local path instead`,
      );
    }
    return this.options.download(url);
  }
}

function toStaged(
  advisory: StagedAdvisory['advisory'],
  feed: string,
): StagedAdvisory {
  return {
    advisory,
    feed,
    packages: advisory.affected.map((a) => ({
      ecosystem: a.ecosystem,
      name: normalizePackageName(a.ecosystem, a.name),
    })),
  };
}

/** Names a downloaded file by its URL in warnings. */
function rename(file: string, local: string | undefined, feed: string): string {
  return local !== undefined && file.startsWith(local)
    ? feed + file.slice(local.length)
    : file;
}

function totals(feeds: FeedSummary[]): ImportCounts {
  const sum = (k: keyof ImportCounts): number =>
    feeds.reduce((n, f) => n + f[k], 0);
  return {
    added: sum('added'),
    changed: sum('changed'),
    unchanged: sum('unchanged'),
    withdrawn: sum('withdrawn'),
    skipped: sum('skipped'),
  };
}
