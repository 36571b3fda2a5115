import type { ImageName } from '../storage/admin-ports.js';
import type { ManifestStore, VerdictChange } from '../storage/ports.js';
import {
  computeVerdicts,
  judgeImage,
  type JudgeDeps,
  type JudgingTerms,
} from './judge.js';

/** A verdict a change would move: from the stored status to the new one. */
export interface PreviewChange {
  repository: string;
  digest: string;
  environment: string;
  from: string | null;
  to: string;
  /** Codes of the reasons of the new verdict (which rule moves it). */
  reasons: string[];
}

/**
 * Judges images again now (judgeImage judges an index's platform images
 * first), then the indexes that list them (whose verdicts are made of
 * theirs). Returns the verdicts that changed.
 */
export async function rejudgeImages(
  deps: JudgeDeps & { stores: { manifests: Pick<ManifestStore, 'parentsOf'> } },
  images: ImageName[],
  cause: string,
): Promise<VerdictChange[]> {
  const changes: VerdictChange[] = [];
  for (const image of images) {
    changes.push(...(await judgeImage(deps, image, cause)));
    for (const parent of await deps.stores.manifests.parentsOf(
      image.repository,
      image.digest,
    )) {
      changes.push(
        ...(await judgeImage(
          deps,
          { repository: image.repository, digest: parent },
          cause,
        )),
      );
    }
  }
  return changes;
}

/**
 * What judging `images` under `terms` would change, compared with the
 * stored verdicts, computed without storing anything.
 */
export async function previewVerdicts(
  deps: JudgeDeps,
  images: ImageName[],
  terms: JudgingTerms,
): Promise<PreviewChange[]> {
  const changes: PreviewChange[] = [];
  for (const image of images) {
    const stored = await deps.stores.verdicts.list(
      image.repository,
      image.digest,
    );
    for (const v of await computeVerdicts(deps, image, terms)) {
      const from =
        stored.find((s) => s.environment === v.environment)?.status ?? null;
      if (from !== v.status) changes.push(previewChange(v, from));
    }
  }
  return changes;
}

/** The change of a computed verdict from the stored status `from`. */
export function previewChange(
  v: {
    repository: string;
    digest: string;
    environment: string;
    status: string;
    reasons: ReadonlyArray<{ code: string }>;
  },
  from: string | null,
): PreviewChange {
  return {
    repository: v.repository,
    digest: v.digest,
    environment: v.environment,
    from,
    to: v.status,
    reasons: [...new Set(v.reasons.map((r) => r.code))],
  };
}
