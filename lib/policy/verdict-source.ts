import type { Digest } from '../core/digest.js';
import type { Verdict } from '../core/verdict.js';
import type { ServingIndex, VerdictStore } from '../storage/ports.js';

/** What a decision reads: the subject of a referrer, and verdicts. */
export interface VerdictSource {
  /** The image a referrer manifest is about; null = known, no subject; undefined = unknown. */
  subjectOf(digest: Digest): Promise<Digest | null | undefined>;
  verdictOf(
    repository: string,
    digest: Digest,
    environment: string,
  ): Promise<Verdict | undefined>;
  /** Both answers when they are in memory now (VerdictCache); undefined = read them. */
  knownNow?(
    repository: string,
    digest: Digest,
    environment: string,
  ): { judgedDigest: Digest; verdict: Verdict | undefined } | undefined;
}

/** Reads straight from the stores (CLI, tests; the server uses VerdictCache). */
export function storeVerdictSource(stores: {
  serving: Pick<ServingIndex, 'subjectOf'>;
  verdicts: Pick<VerdictStore, 'get'>;
}): VerdictSource {
  return {
    subjectOf: (digest) => stores.serving.subjectOf(digest),
    verdictOf: (repository, digest, environment) =>
      stores.verdicts.get(repository, digest, environment),
  };
}
