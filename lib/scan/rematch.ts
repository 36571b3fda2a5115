import type { Logger } from 'pino';
import type { Advisory } from '../core/advisory.js';
import type { Digest } from '../core/digest.js';
import { judgeImage, type JudgeDeps } from '../policy/judge.js';
import { judgeImageBatch } from '../policy/judge-batch.js';
import type {
  DataChanges,
  FindingsDelta,
  RematchCandidate,
  Stores,
} from '../storage/ports.js';
import {
  distinctKeys,
  matchPackages,
  packageKeys,
} from '../vulndb/match-image.js';

export interface RematchDeps {
  stores: Pick<Stores, 'vulns' | 'rematch'>;
  judge: JudgeDeps;
  logger: Logger;
  /** Images read, matched and judged together. */
  batchSize?: number;
}

/** What a re-match did. */
export interface RematchSummary {
  snapshotId: number | null;
  /** Images holding a package a changed advisory names (or never matched). */
  images: number;
  /** Of those, images whose findings changed, judged again. */
  changedImages: number;
  verdicts: number;
  verdictChanges: number;
  durationMs: number;
}

const DEFAULT_BATCH = 500;

/**
 * Re-matches stored images against the current data snapshot, reading
 * their stored package lists only (never a layer), and only the images
 * the data changes concern: those holding a package that an advisory
 * added, changed or withdrawn since the image's own match snapshot names.
 * For them only the findings of the changed advisories are redone; images
 * never matched incrementally are matched whole. Images whose findings
 * changed are judged again (verdict changes recorded, with the outbox
 * event, by the verdict store); indexes listing them after. Every other
 * image is then marked current. Idempotent: a second run finds nothing.
 */
export async function rematchStoredImages(
  deps: RematchDeps,
  reason: string,
  signal: AbortSignal,
): Promise<RematchSummary> {
  const started = performance.now();
  const summary: RematchSummary = {
    snapshotId: await deps.stores.vulns.currentSnapshot(),
    images: 0,
    changedImages: 0,
    verdicts: 0,
    verdictChanges: 0,
    durationMs: 0,
  };
  const snapshotId = summary.snapshotId;
  if (snapshotId === null) return summary;
  const candidates = await deps.stores.rematch.candidates(snapshotId);
  summary.images = candidates.length;
  const cause = `rematch: vulnerability data snapshot ${snapshotId} (${reason})`;
  const parents = new Map<string, { repository: string; digest: Digest }>();
  for (const [matchedAt, group] of byMatchSnapshot(candidates)) {
    const plan = await planFor(deps, matchedAt, snapshotId);
    for (const batch of chunks(group, deps.batchSize ?? DEFAULT_BATCH)) {
      signal.throwIfAborted();
      const deltas = await deltasFor(deps, plan, batch);
      const changed = await deps.stores.rematch.applyDeltas(deltas, snapshotId);
      summary.changedImages += changed.length;
      if (changed.length === 0) continue;
      const contexts = await deps.stores.rematch.contextOf(changed);
      const judged = await judgeImageBatch(
        deps.judge,
        contexts.values(),
        cause,
      );
      summary.verdicts += judged.verdicts;
      summary.verdictChanges += judged.changes.length;
      for (const p of judged.parents)
        parents.set(`${p.repository}@${p.digest}`, p);
    }
  }
  for (const parent of parents.values()) {
    const changes = await judgeImage(deps.judge, parent, cause);
    summary.verdictChanges += changes.length;
  }
  await deps.stores.rematch.advanceAll(snapshotId);
  summary.durationMs = performance.now() - started;
  return summary;
}

/** How one group of images is re-matched. */
type Plan =
  | { kind: 'full' }
  | { kind: 'delta'; changes: DataChanges; advisories: Advisory[] };

/** The changed advisories since `matchedAt`, fetched once per group. */
async function planFor(
  deps: RematchDeps,
  matchedAt: number | null,
  snapshotId: number,
): Promise<Plan> {
  if (matchedAt === null) return { kind: 'full' };
  const changes = await deps.stores.rematch.changesBetween(
    matchedAt,
    snapshotId,
  );
  const changed = new Set(
    changes.advisories.map((a) => `${a.source}\u0000${a.id}`),
  );
  const advisories = (
    await deps.stores.vulns.advisoriesFor(changes.keys)
  ).filter((a) => changed.has(`${a.source}\u0000${a.id}`));
  return { kind: 'delta', changes, advisories };
}

async function deltasFor(
  deps: RematchDeps,
  plan: Plan,
  batch: RematchCandidate[],
): Promise<FindingsDelta[]> {
  const digests = batch.map((c) => c.digest);
  if (plan.kind === 'delta') {
    const packages = await deps.stores.rematch.packagesOf(
      digests,
      plan.changes.keys,
    );
    return batch.map((c) => ({
      digest: c.digest,
      matchedAt: c.matchedAt,
      isFull: false,
      remove: plan.changes.advisories,
      add: matchPackages(packages.get(c.digest) ?? [], plan.advisories),
    }));
  }
  const packages = await deps.stores.rematch.packagesOf(digests);
  const keys = new Map([...packages].map(([d, p]) => [d, packageKeys(p)]));
  const advisories = await deps.stores.vulns.advisoriesFor(
    distinctKeys([...keys.values()].flat()),
  );
  return batch.map((c) => ({
    digest: c.digest,
    matchedAt: c.matchedAt,
    isFull: true,
    remove: [],
    add: matchPackages(packages.get(c.digest) ?? [], advisories),
    keys: keys.get(c.digest) ?? [],
  }));
}

function byMatchSnapshot(
  candidates: RematchCandidate[],
): Map<number | null, RematchCandidate[]> {
  const groups = new Map<number | null, RematchCandidate[]>();
  for (const c of candidates) {
    const group = groups.get(c.matchedAt) ?? [];
    group.push(c);
    groups.set(c.matchedAt, group);
  }
  return groups;
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size)
    out.push(items.slice(i, i + size));
  return out;
}
