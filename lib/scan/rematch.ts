import type { Logger } from 'pino';
import type { Digest } from '../core/digest.js';
import { judgeImage, type JudgeDeps } from '../policy/judge.js';
import { judgeImageBatch } from '../policy/judge-batch.js';
import type {
  DataChanges,
  FindingsDelta,
  ImageContext,
  RematchCandidate,
  Stores,
} from '../storage/ports.js';
import {
  distinctKeys,
  indexByPackage,
  matchPackages,
  packageKeys,
  type AdvisoryIndex,
} from '../vulndb/match-image.js';

/** What {@link rematchStoredImages} reads, writes and judges with. */
export interface RematchDeps {
  stores: Pick<Stores, 'vulns' | 'rematch'>;
  judge: JudgeDeps;
  logger: Logger;
  /** Images read, matched and judged together. */
  batchSize?: number;
  /**
   * Batches in flight at once: while one is matched and judged in this
   * process, the database works on another (they touch disjoint images).
   */
  concurrency?: number;
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
const DEFAULT_CONCURRENCY = 3;
const MAX_PASSES = 3;
/**
 * A run that reconsidered at least this many images rewrote enough rows
 * to leave the planner's statistics behind: refresh them (see
 * refreshTableStatistics), so the next run's queries are planned on the
 * tables as they are.
 */
const STATISTICS_REFRESH_IMAGES = 200;

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
  const snapshotId = await deps.stores.vulns.currentSnapshot();
  const summary: RematchSummary = {
    snapshotId,
    images: 0,
    changedImages: 0,
    verdicts: 0,
    verdictChanges: 0,
    durationMs: 0,
  };
  if (snapshotId === null) return summary;
  const run = {
    snapshotId,
    cause: `rematch: vulnerability data snapshot ${snapshotId} (${reason})`,
    signal,
    parents: new Map<string, { repository: string; digest: Digest }>(),
  };
  // A scan that raced the import may leave an image behind; a second
  // pass picks it up (and finds nothing in the usual case).
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    const { images, asOf } = await deps.stores.rematch.candidates(snapshotId);
    if (pass > 0 && images.length === 0) break;
    summary.images += images.length;
    for (const [matchedAt, group] of byMatchSnapshot(images)) {
      await rematchGroup(deps, { ...run, matchedAt, group }, summary);
    }
    await deps.stores.rematch.advanceAll(snapshotId, asOf);
  }
  for (const parent of run.parents.values()) {
    const changes = await judgeImage(deps.judge, parent, run.cause);
    summary.verdictChanges += changes.length;
  }
  summary.durationMs = performance.now() - started;
  return summary;
}

/**
 * Upkeep after a re-match, run once its verdicts are stored: when the run
 * reconsidered many images, refresh the statistics of the tables it
 * rewrote. A failure here costs speed only: logged, never raised.
 */
export async function tidyAfterRematch(
  deps: Pick<RematchDeps, 'stores' | 'logger'>,
  summary: RematchSummary,
): Promise<void> {
  if (summary.images < STATISTICS_REFRESH_IMAGES) return;
  const started = performance.now();
  try {
    const ran = await deps.stores.rematch.refreshStatistics();
    deps.logger.debug(
      { ran, ms: Math.round(performance.now() - started) },
      'table statistics refreshed after a re-match',
    );
  } catch (err: unknown) {
    deps.logger.warn(
      { err },
      'could not refresh table statistics after a re-match (queries may be planned on stale ones)',
    );
  }
}

/** The images matched at one snapshot, in concurrent batches. */
async function rematchGroup(
  deps: RematchDeps,
  run: {
    snapshotId: number;
    cause: string;
    signal: AbortSignal;
    parents: Map<string, { repository: string; digest: Digest }>;
    matchedAt: number | null;
    group: RematchCandidate[];
  },
  summary: RematchSummary,
): Promise<void> {
  const plan = await planFor(deps, run.matchedAt, run.snapshotId);
  await forEachConcurrently(
    chunks(run.group, deps.batchSize ?? DEFAULT_BATCH),
    deps.concurrency ?? DEFAULT_CONCURRENCY,
    async (batch) => {
      run.signal.throwIfAborted();
      const judged = await rematchBatch(deps, plan, batch, run);
      summary.changedImages += judged.changedImages;
      summary.verdicts += judged.verdicts;
      summary.verdictChanges += judged.verdictChanges;
      for (const p of judged.parents) {
        run.parents.set(`${p.repository}@${p.digest}`, p);
      }
    },
  );
}

/**
 * Matches one batch, then, from the images' current findings read once:
 * leaves alone the images whose findings come out the same, applies the
 * deltas of the others and judges them on the merged findings.
 */
async function rematchBatch(
  deps: RematchDeps,
  plan: Plan,
  batch: RematchCandidate[],
  run: { snapshotId: number; cause: string },
): Promise<{
  changedImages: number;
  verdicts: number;
  verdictChanges: number;
  parents: Array<{ repository: string; digest: Digest }>;
}> {
  const deltas = await deltasFor(deps, plan, batch);
  const contexts = await deps.stores.rematch.contextOf(
    deltas.map((d) => d.digest),
  );
  const changed = deltas.filter((d) => mergeInto(contexts.get(d.digest), d));
  const applied = await deps.stores.rematch.applyDeltas(
    changed,
    run.snapshotId,
  );
  if (applied.length === 0) {
    return { changedImages: 0, verdicts: 0, verdictChanges: 0, parents: [] };
  }
  const judged = await judgeImageBatch(
    deps.judge,
    applied.flatMap((d) => contexts.get(d) ?? []),
    run.cause,
  );
  return {
    changedImages: applied.length,
    verdicts: judged.verdicts,
    verdictChanges: judged.changes.length,
    parents: judged.parents,
  };
}

/**
 * Puts the findings `delta` gives into the image's context; false when
 * nothing changes for it (the changed advisories neither had nor have a
 * finding there) or the image is gone.
 */
function mergeInto(
  ctx: ImageContext | undefined,
  delta: FindingsDelta,
): boolean {
  if (ctx === undefined) return false;
  if (delta.isFull) {
    ctx.findings = delta.add;
    return true;
  }
  const removed = advisoryKeys(delta.remove);
  const kept = ctx.findings.filter(
    (f) => !removed.has(`${f.advisorySource ?? ''}\u0000${f.advisoryId}`),
  );
  if (kept.length === ctx.findings.length && delta.add.length === 0) {
    return false;
  }
  ctx.findings = [...kept, ...delta.add];
  return true;
}

/**
 * The `source\0id` keys of a removal list. A plan's deltas share one list:
 * its set is built once, not once per image.
 */
const keysOfRemoval = new WeakMap<FindingsDelta['remove'], Set<string>>();
function advisoryKeys(remove: FindingsDelta['remove']): Set<string> {
  let keys = keysOfRemoval.get(remove);
  if (keys === undefined) {
    keys = new Set(remove.map((r) => `${r.source}\u0000${r.id}`));
    keysOfRemoval.set(remove, keys);
  }
  return keys;
}

/** Runs `fn` on every item, at most `limit` at a time; rejects on the first failure. */
async function forEachConcurrently<T>(
  items: T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < items.length; i = next++) await fn(items[i]!);
  };
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, worker),
  );
}

/** How one group of images is re-matched. */
type Plan =
  | { kind: 'full' }
  | { kind: 'delta'; changes: DataChanges; advisories: AdvisoryIndex };

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
  return { kind: 'delta', changes, advisories: indexByPackage(advisories) };
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
  const advisories = indexByPackage(
    await deps.stores.vulns.advisoriesFor(
      distinctKeys([...keys.values()].flat()),
    ),
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
