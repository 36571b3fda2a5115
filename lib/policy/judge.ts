import type { Logger } from 'pino';
import type { Digest } from '../core/digest.js';
import type { AuditLog } from '../storage/admin-ports.js';
import type { Stores, VerdictChange, VerdictInput } from '../storage/ports.js';
import { dataImportedAt } from './data-age-source.js';
import { readsPackages } from './evaluate-packages.js';
import { evaluate, type Evidence } from './evaluate.js';
import { NO_OVERRIDES, type OverrideSource } from './override-source.js';
import { overridesFor, type Overrides } from './overrides.js';
import type { RuleSet } from './rules.js';
import { reportVerdictChanges } from './verdict-changes.js';
import { cveIdsOf } from './fix-priority.js';

export interface JudgeDeps {
  stores: Pick<
    Stores,
    | 'manifests'
    | 'scans'
    | 'findings'
    | 'signatures'
    | 'verdicts'
    | 'vulns'
    | 'evidence'
    | 'exploits'
  >;
  rules: () => RuleSet;
  logger: Logger;
  /** Exceptions and break-glass grants; none when absent. */
  overrides?: OverrideSource | undefined;
  /** Where verdict changes are audited; not audited when absent. */
  audit?: Pick<AuditLog, 'append'> | undefined;
}

/**
 * Computes and stores the verdict of an image in every environment of the
 * rules, from what the stores hold (scan, findings, signatures). An index is
 * judged after its platform manifests, from their verdicts; a platform
 * manifest also counts the signatures of the indexes that list it. Returns
 * the verdicts whose status changed.
 */
export async function judgeImage(
  deps: JudgeDeps,
  image: { repository: string; digest: Digest },
  cause: string,
): Promise<VerdictChange[]> {
  const rules = deps.rules();
  const manifest = await deps.stores.manifests.get(image.digest);
  const children =
    manifest?.kind === 'index'
      ? manifest.references.filter((r) => r.role === 'manifest')
      : [];
  const changes: VerdictChange[] = [];
  for (const child of children) {
    changes.push(
      ...(await judgeImage(
        deps,
        { repository: image.repository, digest: child.digest },
        cause,
      )),
    );
  }
  const verdicts = await computeVerdicts(deps, image, {
    rules,
    overrides: (await deps.overrides?.load()) ?? NO_OVERRIDES,
    now: deps.overrides?.now() ?? Date.now(),
  });
  const saved = await deps.stores.verdicts.save(verdicts, cause);
  await reportVerdictChanges(deps, saved, cause);
  return [...changes, ...saved];
}

/** What a verdict is computed under: rules, overrides, and the time. */
export interface JudgingTerms {
  rules: RuleSet;
  overrides: Overrides;
  now: number;
}

/**
 * The verdicts of an image in every environment of `terms.rules`, without
 * storing them (judgeImage stores them; previews compare them with the
 * stored ones). An index reads its platforms' stored verdicts.
 */
export async function computeVerdicts(
  deps: JudgeDeps,
  image: { repository: string; digest: Digest },
  terms: JudgingTerms,
): Promise<VerdictInput[]> {
  const { rules, overrides, now } = terms;
  const manifest = await deps.stores.manifests.get(image.digest);
  const children =
    manifest?.kind === 'index'
      ? manifest.references.filter((r) => r.role === 'manifest')
      : [];
  const snapshotId = await deps.stores.vulns.currentSnapshot();
  const importedAt = await dataImportedAt(deps.stores.vulns, rules);
  const parents =
    manifest?.kind === 'index'
      ? []
      : await deps.stores.manifests.parentsOf(image.repository, image.digest);
  const base =
    manifest?.kind === 'index'
      ? undefined
      : await imageEvidence(deps, image, parents, readsPackages(rules));
  const verdicts: VerdictInput[] = [];
  for (const [environment, envRules] of Object.entries(rules.environments)) {
    const evidence: Evidence =
      base ?? (await indexEvidence(deps, image, children, environment));
    const judged = evaluate(
      {
        ...evidence,
        repository: image.repository,
        dataImportedAt: importedAt,
        judgedAt: now,
        ...overridesFor(overrides, { ...image, parents }, environment, now),
      },
      envRules,
      trustEntryNames(rules),
    );
    verdicts.push({
      ...image,
      environment,
      ...judged,
      rulesVersion: rules.version,
      snapshotId,
    });
  }
  return verdicts;
}

/** Every name a signature can be verified under (keys, identities, notation). */
export function trustEntryNames(rules: RuleSet): string[] {
  return [
    ...Object.keys(rules.keys),
    ...Object.keys(rules.identities),
    ...Object.keys(rules.notation),
  ];
}

/** `parents`: the indexes listing the image in its repository. */
async function imageEvidence(
  deps: JudgeDeps,
  image: { repository: string; digest: Digest },
  parents: Digest[],
  withPackages: boolean,
): Promise<Evidence> {
  const { stores } = deps;
  const scan = await stores.scans.get(image.digest);
  const signatures = (
    await Promise.all(
      [image.digest, ...parents].map((d) => stores.signatures.list(d)),
    )
  ).flat();
  const findings =
    scan?.status === 'done' ? await stores.findings.list(image.digest) : [];
  return {
    scan: scan
      ? {
          status: scan.status,
          errorCode: scan.errorCode,
          errorMessage: scan.errorMessage,
          finishedAt: scan.finishedAt,
        }
      : { status: 'missing' },
    findings,
    signatures,
    image: await stores.evidence.get(image.digest),
    ...(withPackages && scan?.status === 'done'
      ? { packages: await stores.scans.packages(image.digest) }
      : {}),
    knownExploited: await knownExploited(stores, findings),
  };
}

async function indexEvidence(
  deps: JudgeDeps,
  image: { repository: string; digest: Digest },
  children: Array<{ digest: Digest; platform?: string | undefined }>,
  environment: string,
): Promise<Evidence> {
  const childVerdicts = await Promise.all(
    children.map(async (c) => {
      const v = await deps.stores.verdicts.get(
        image.repository,
        c.digest,
        environment,
      );
      return {
        digest: c.digest,
        platform: c.platform,
        status: v?.status ?? ('pending' as const),
        reasons: v?.reasons ?? [],
      };
    }),
  );
  return {
    scan: { status: 'done' },
    findings: [],
    signatures: await deps.stores.signatures.list(image.digest),
    children: childVerdicts,
  };
}

/** CVE ids of `findings` that the CISA KEV catalog lists. */
async function knownExploited(
  stores: Pick<Stores, 'exploits'>,
  findings: ReadonlyArray<{ advisoryId: string; aliases: string[] }>,
): Promise<string[]> {
  const signals = await stores.exploits.lookup(findings.flatMap(cveIdsOf));
  return [...signals.values()]
    .filter((s) => s.kevDateAdded !== undefined)
    .map((s) => s.cveId);
}
