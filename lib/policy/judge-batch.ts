import type { Digest } from '../core/digest.js';
import type {
  ImageContext,
  VerdictChange,
  VerdictInput,
} from '../storage/ports.js';
import { evaluate, type Evidence } from './evaluate.js';
import type { JudgeDeps } from './judge.js';
import type { RuleSet } from './rules.js';
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
  const snapshotId = await deps.stores.vulns.currentSnapshot();
  const rules = deps.rules();
  const verdicts: VerdictInput[] = [];
  const parents = new Map<string, { repository: string; digest: Digest }>();
  const all = [...contexts];
  // The findings may have just been merged in memory: look their CVEs up now.
  const kev = await knownExploitedOf(
    deps,
    all.flatMap((c) => c.findings),
  );
  for (const ctx of all) {
    verdicts.push(...verdictsOf(rules, ctx, { snapshotId, kev }));
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
  for (const c of changes) {
    deps.logger.info(
      {
        repository: c.repository,
        digest: c.digest,
        environment: c.environment,
        verdict: c.newStatus,
        previous: c.oldStatus,
        cause,
      },
      'verdict changed',
    );
  }
  return { changes, parents: [...parents.values()], verdicts: verdicts.length };
}

/** The verdicts of one image: every repository holding it, every environment. */
function verdictsOf(
  rules: RuleSet,
  ctx: ImageContext,
  known: { snapshotId: number | null; kev: ReadonlySet<string> },
): VerdictInput[] {
  const { snapshotId } = known;
  const trusted = Object.keys(rules.keys);
  return ctx.repositories.flatMap(({ repository, parents }) => {
    const evidence = evidenceOf(ctx, parents, known.kev);
    return Object.entries(rules.environments).map(([environment, env]) => ({
      repository,
      digest: ctx.digest,
      environment,
      ...evaluate(evidence, env, trusted),
      rulesVersion: rules.version,
      snapshotId,
    }));
  });
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
  kev: ReadonlySet<string>,
): Evidence {
  return {
    scan: ctx.scan,
    findings: ctx.scan.status === 'done' ? ctx.findings : [],
    signatures: [ctx.digest, ...parents].flatMap(
      (d) => ctx.signatures.get(d) ?? [],
    ),
    image: ctx.evidence,
    knownExploited: ctx.findings.flatMap(cveIdsOf).filter((id) => kev.has(id)),
  };
}
