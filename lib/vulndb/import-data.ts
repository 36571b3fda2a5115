/**
 * `customs vulndb import` over any mix of inputs: exploitation feeds (a
 * CISA KEV catalog, an EPSS score file, given as files) replace their
 * signals; every other input is advisory data, imported as one snapshot
 * by importVulnData.
 */
import { open, readFile, stat } from 'node:fs/promises';
import type { ExploitSourceSummary } from '../core/exploit-signal.js';
import type { Stores } from '../storage/ports.js';
import {
  importVulnData,
  type ImportOptions,
  type ImportResult,
} from './import.js';
import {
  exploitFeedKind,
  parseEpss,
  parseKev,
} from './sources/exploit-feeds.js';

/** An import's result, with the exploitation feeds it replaced. */
export type DataImportResult = ImportResult & {
  exploits: ExploitSourceSummary[];
};

const SNIFF_BYTES = 4096;

/**
 * Imports `inputs` (see the module comment). With only exploitation feeds
 * no advisory snapshot is made (the result names the current one).
 * @throws what importVulnData throws; VulnDataError `SOURCE_INVALID` for a
 *   damaged feed.
 */
export async function importData(
  stores: Pick<Stores, 'vulns' | 'exploits'>,
  inputs: readonly string[],
  options: ImportOptions,
): Promise<DataImportResult> {
  const started = performance.now();
  const exploits: ExploitSourceSummary[] = [];
  const advisories: string[] = [];
  for (const input of inputs) {
    const kind = await feedKindOf(input);
    if (kind === undefined) advisories.push(input);
    else exploits.push(await importFeed(stores, input, kind));
  }
  if (advisories.length > 0)
    return {
      ...(await importVulnData(stores.vulns, advisories, options)),
      exploits,
    };
  return {
    importId: 0,
    snapshotId: (await stores.vulns.currentSnapshot()) ?? 0,
    counts: { added: 0, changed: 0, unchanged: 0, withdrawn: 0, skipped: 0 },
    feeds: [],
    read: 0,
    changedPackages: 0,
    warnings: [],
    durationMs: performance.now() - started,
    exploits,
  };
}

async function importFeed(
  stores: Pick<Stores, 'exploits'>,
  path: string,
  kind: 'kev' | 'epss',
): Promise<ExploitSourceSummary> {
  const bytes = await readFile(path);
  if (kind === 'kev') {
    const kev = parseKev(bytes, path);
    await stores.exploits.replaceKev(kev.entries, kev.version);
    return { source: 'kev', version: kev.version, entries: kev.entries.length };
  }
  const epss = parseEpss(bytes, path);
  await stores.exploits.replaceEpss(epss.entries, epss.version);
  return {
    source: 'epss',
    version: epss.version,
    entries: epss.entries.length,
  };
}

/** The feed a local file is, by its first bytes; undefined for anything else. */
async function feedKindOf(input: string): Promise<'kev' | 'epss' | undefined> {
  try {
    if (!(await stat(input)).isFile()) return undefined;
    const handle = await open(input);
    try {
      const buf = Buffer.alloc(SNIFF_BYTES);
      const { bytesRead } = await handle.read(buf, 0, SNIFF_BYTES, 0);
      return exploitFeedKind(buf.subarray(0, bytesRead));
    } finally {
      await handle.close();
    }
  } catch {
    // URLs and unreadable paths are importVulnData's to report.
    return undefined;
  }
}
