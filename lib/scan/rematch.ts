import type { Logger } from 'pino';
import type { Advisory } from '../core/advisory.js';
import type { Digest } from '../core/digest.js';
import type { Finding } from '../core/finding.js';
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
const DEFAULT_CONCURRENCY = 2;

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
    const batches = chunks(group, deps.batchSize ?? DEFAULT_BATCH);
    await forEachConcurrently(
      batches,
      deps.concurrency ?? DEFAULT_CONCURRENCY,
      async (batch) => {
        signal.throwIfAborted();
        const judged = await rematchBatch(deps, plan, batch, {
          snapshotId,
          cause,
        });
        summary.changedImages += judged.changedImages;
        summary.verdicts += judged.verdicts;
        summary.verdictChanges += judged.verdictChanges;
        for (const p of judged.parents) {
          parents.set(`${p.repository}@${p.digest}`, p);
        }
      },
    );
  }
  for (const parent of parents.values()) {
    const changes = await judgeImage(deps.judge, parent, cause);
    summary.verdictChanges += changes.length;
  }
  await deps.stores.rematch.advanceAll(snapshotId);
  summary.durationMs = performance.now() - started;
  return summary;
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
  const changed = deltas.filter((d) => {
    const ctx = contexts.get(d.digest);
    if (ctx === undefined) return false;
    const merged = mergeFindings(ctx.findings, d);
    if (!d.isFull && isSameFindings(ctx.findings, merged)) return false;
    ctx.findings = merged;
    return true;
  });
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

/** The findings an image has once `delta` is applied. */
function mergeFindings(current: Finding[], delta: FindingsDelta): Finding[] {
  if (delta.isFull) return delta.add;
  const removed = new Set(delta.remove.map((r) => `${r.source}\u0000${r.id}`));
  const kept = current.filter(
    (f) => !removed.has(`${f.advisorySource ?? ''}\u0000${f.advisoryId}`),
  );
  return [...kept, ...delta.add];
}

/** Whether two lists hold the same findings, in any order. */
function isSameFindings(a: Finding[], b: Finding[]): boolean {
  if (a.length !== b.length) return false;
  const keys = (list: Finding[]) => list.map(findingKey).sort().join('\n');
  return keys(a) === keys(b);
}

/** Every field of a finding that a verdict or a reader sees. */
function findingKey(f: Finding): string {
  return JSON.stringify([
    f.advisorySource ?? '',
    f.advisoryId,
    f.aliases,
    f.ecosystem,
    f.packageName,
    f.packageVersion,
    f.advisoryPackage,
    f.fixedVersion ?? null,
    f.severity,
    f.severitySource ?? null,
    f.status,
    f.summary ?? null,
    f.cvssScore ?? null,
    f.cvssSeverity ?? null,
    f.distributionSeverity ?? null,
    f.distributionSeveritySource ?? null,
  ]);
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
