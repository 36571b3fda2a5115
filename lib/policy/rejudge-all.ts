import type { Digest } from '../core/digest.js';
import type { Stores } from '../storage/ports.js';
import { dataImportedAt } from './data-age-source.js';
import { readsPackages } from './evaluate-packages.js';
import {
  fixTimesOf,
  judgeImageBatch,
  packagesOf,
  verdictsOf,
} from './judge-batch.js';
import { judgeImage, type JudgeDeps, type JudgingTerms } from './judge.js';
import { previewChange, type PreviewChange } from './rejudge.js';

/** Images read and judged together (a few queries per batch). */
const BATCH = 500;

type AllDeps = JudgeDeps & {
  stores: Pick<Stores, 'scans' | 'rematch' | 'verdicts' | 'vulns'>;
};

/**
 * Judges every stored image again (new rules): platform images in
 * batches, then the indexes that list them. Returns the number of
 * verdicts whose status changed.
 */
export async function rejudgeAll(
  deps: AllDeps,
  cause: string,
): Promise<number> {
  let changed = 0;
  const parents = new Map<string, { repository: string; digest: Digest }>();
  for (const batch of chunks(await deps.stores.scans.scannedDigests())) {
    const contexts = await deps.stores.rematch.contextOf(batch);
    const judged = await judgeImageBatch(deps, contexts.values(), cause);
    changed += judged.changes.length;
    for (const p of judged.parents)
      parents.set(`${p.repository}@${p.digest}`, p);
  }
  for (const parent of parents.values())
    changed += (await judgeImage(deps, parent, cause)).length;
  return changed;
}

/**
 * What judging every stored platform image under `terms` would change,
 * compared with the stored verdicts; nothing is stored. (Indexes follow
 * their platforms and are not listed.)
 */
export async function previewAll(
  deps: AllDeps,
  terms: JudgingTerms,
): Promise<PreviewChange[]> {
  const changes: PreviewChange[] = [];
  const snapshotId = await deps.stores.vulns.currentSnapshot();
  const importedAt = await dataImportedAt(deps.stores.vulns, terms.rules);
  for (const batch of chunks(await deps.stores.scans.scannedDigests())) {
    const contexts = await deps.stores.rematch.contextOf(batch);
    const packages = readsPackages(terms.rules)
      ? await packagesOf(deps, [...contexts.values()])
      : undefined;
    const judging = {
      ...terms,
      snapshotId,
      dataImportedAt: importedAt,
      fixAvailableSince: await fixTimesOf(deps, terms.rules, [
        ...contexts.values(),
      ]),
    };
    for (const ctx of contexts.values()) {
      for (const v of verdictsOf(judging, ctx, packages?.get(ctx.digest))) {
        const stored = await deps.stores.verdicts.get(
          v.repository,
          v.digest,
          v.environment,
        );
        const from = stored?.status ?? null;
        if (from !== v.status) changes.push(previewChange(v, from));
      }
    }
  }
  return changes;
}

function chunks<T>(items: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += BATCH)
    out.push(items.slice(i, i + BATCH));
  return out;
}
