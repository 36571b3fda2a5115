import type { Digest } from '../core/digest.js';
import { findingTimesKey } from '../core/finding.js';
import type {
  ImageContext,
  VerdictChange,
  VerdictInput,
} from '../storage/ports.js';
import { dataImportedAt } from './data-age-source.js';
import type { LicensedPackage } from './evaluate-licenses.js';
import { readsPackages } from './evaluate-packages.js';
import { limitsFixAge } from './age-deadlines.js';
import { evaluate, type Evidence } from './evaluate.js';
import { trustEntryNames, type JudgeDeps } from './judge.js';
import { NO_OVERRIDES } from './override-source.js';
import { overridesFor, type Overrides } from './overrides.js';
import type { RuleSet } from './rules.js';
import { reportVerdictChanges } from './verdict-changes.js';
import { cveIdsOf } from './fix-priority.js';

/** What judging a batch of images did. */
export interface BatchJudgement {
  changes: VerdictChange[];
  /** Indexes listing the images, to judge after them (judgeImage). */
  parents: Array<{ repository: string; digest: Digest }>;
  verdicts: number;
}

/**
 * Judges platform images (not indexes) from contexts read in bulk, in
 * every environment and every repository holding each image, and stores
 * all verdicts with one `save` (one transaction). The evidence is built
 * exactly as judgeImage builds it for a non-index image, so both paths
 * agree; this one costs a few queries per batch instead of per image.
 */
export async function judgeImageBatch(
  deps: JudgeDeps,
  contexts: Iterable<ImageContext>,
  cause: string,
): Promise<BatchJudgement> {
  const rules = deps.rules();
  const judging: Judging = {
    rules,
    snapshotId: await deps.stores.vulns.currentSnapshot(),
    dataImportedAt: await dataImportedAt(deps.stores.vulns, rules),
    overrides: (await deps.overrides?.load()) ?? NO_OVERRIDES,
    now: deps.overrides?.now() ?? Date.now(),
  };
  const verdicts: VerdictInput[] = [];
  const parents = new Map<string, { repository: string; digest: Digest }>();
  const all = [...contexts];
  // The findings may have just been merged in memory: look their CVEs up now.
  judging.knownExploited = await knownExploitedOf(
    deps,
    all.flatMap((c) => c.findings),
  );
  judging.fixAvailableSince = await fixTimesOf(deps, judging.rules, all);
  const packages = readsPackages(judging.rules)
    ? await packagesOf(deps, all)
    : undefined;
  for (const ctx of all) {
    verdicts.push(...verdictsOf(judging, ctx, packages?.get(ctx.digest)));
    for (const { repository, parents: listing } of ctx.repositories) {
      for (const digest of listing) {
        parents.set(`${repository}@${digest}`, { repository, digest });
      }
    }
  }
  const changes =
    verdicts.length === 0
      ? []
      : await deps.stores.verdicts.save(verdicts, cause);
  await reportVerdictChanges(deps, changes, cause);
  return { changes, parents: [...parents.values()], verdicts: verdicts.length };
}

/** What every verdict of a batch is computed from. */
export interface Judging {
  rules: RuleSet;
  /** For `maxDataAgeHours`: see dataImportedAt. */
  dataImportedAt?: string | null | undefined;
  snapshotId: number | null;
  overrides: Overrides;
  now: number;
  /** CVE ids of the batch's findings that the CISA KEV catalog lists. */
  knownExploited?: ReadonlySet<string>;
  /** For `maxFixableDays`: see fixTimesOf. */
  fixAvailableSince?: FixTimes | undefined;
}

/** When each finding of each image was first seen with a fix, by findingTimesKey. */
export type FixTimes = ReadonlyMap<Digest, ReadonlyMap<string, string>>;

/**
 * The verdicts of one image: every repository holding it, every
 * environment (computed, not stored: previews use it as is).
 */
export function verdictsOf(
  judging: Judging,
  ctx: ImageContext,
  packages?: LicensedPackage[],
): VerdictInput[] {
  const { rules, snapshotId, overrides, now } = judging;
  const trusted = trustEntryNames(rules);
  return ctx.repositories.flatMap(({ repository, parents }) => {
    const evidence = evidenceOf(ctx, parents, judging);
    const image = { repository, digest: ctx.digest };
    return Object.entries(rules.environments).map(([environment, env]) => ({
      ...image,
      environment,
      ...evaluate(
        {
          ...evidence,
          repository,
          packages,
          dataImportedAt: judging.dataImportedAt,
          judgedAt: now,
          ...overridesFor(overrides, { ...image, parents }, environment, now),
        },
        env,
        trusted,
      ),
      rulesVersion: rules.version,
      snapshotId,
    }));
  });
}

/** The packages of each image with a finished scan (package and license rules). */
export async function packagesOf(
  deps: JudgeDeps,
  contexts: ImageContext[],
): Promise<Map<Digest, LicensedPackage[]>> {
  const done = contexts.filter((c) => c.scan.status === 'done');
  return new Map(
    await Promise.all(
      done.map(
        async (c) =>
          [c.digest, await deps.stores.scans.packages(c.digest)] as const,
      ),
    ),
  );
}

/**
 * When the findings of `contexts` were first seen with a fix, read only
 * when some environment sets `maxFixableDays` (one query per batch, after
 * the findings are stored: merged ones included); undefined otherwise.
 */
export async function fixTimesOf(
  deps: JudgeDeps,
  rules: RuleSet,
  contexts: ImageContext[],
): Promise<FixTimes | undefined> {
  if (!limitsFixAge(rules)) return undefined;
  const times = new Map<Digest, Map<string, string>>();
  const rows = await deps.stores.findings.timesOf(
    contexts.map((c) => c.digest),
  );
  for (const t of rows) {
    if (t.fixAvailableSince === undefined) continue;
    const image = times.get(t.digest) ?? new Map<string, string>();
    image.set(findingTimesKey(t), t.fixAvailableSince);
    times.set(t.digest, image);
  }
  return times;
}

/** CVE ids of `findings` that the CISA KEV catalog lists. */
async function knownExploitedOf(
  deps: JudgeDeps,
  findings: ReadonlyArray<{ advisoryId: string; aliases: string[] }>,
): Promise<Set<string>> {
  const signals = await deps.stores.exploits.lookup(findings.flatMap(cveIdsOf));
  return new Set(
    [...signals.values()]
      .filter((s) => s.kevDateAdded !== undefined)
      .map((s) => s.cveId),
  );
}

function evidenceOf(
  ctx: ImageContext,
  parents: Digest[],
  judging: Pick<Judging, 'knownExploited' | 'fixAvailableSince'>,
): Evidence {
  const kev = judging.knownExploited ?? new Set();
  return {
    scan: ctx.scan,
    findings:
      ctx.scan.status !== 'done'
        ? []
        : withFixTimes(
            ctx.findings,
            judging.fixAvailableSince?.get(ctx.digest),
          ),
    signatures: [ctx.digest, ...parents].flatMap(
      (d) => ctx.signatures.get(d) ?? [],
    ),
    image: ctx.evidence,
    // Most batches hold no known-exploited CVE: skip the per-finding walk.
    knownExploited:
      kev.size === 0
        ? []
        : ctx.findings.flatMap(cveIdsOf).filter((id) => kev.has(id)),
  };
}

/** The findings with the time each was first seen with a fix, when read. */
function withFixTimes(
  findings: ImageContext['findings'],
  times: ReadonlyMap<string, string> | undefined,
): ImageContext['findings'] {
  if (times === undefined) return findings;
  return findings.map((f) => ({
    ...f,
    fixAvailableSince: times.get(findingTimesKey(f)),
  }));
}
