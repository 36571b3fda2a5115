import type { Logger } from 'pino';
import { messageOf } from '../core/errors.js';
import type { VerdictReason } from '../core/verdict.js';
import { decide, describeDecision } from '../policy/decide.js';
import type { VerdictSource } from '../policy/verdict-source.js';
import type { TagResolver } from '../registry/door/tag-cache.js';
import type { AuditLog } from '../storage/admin-ports.js';
import { resolveImage } from './resolve-image.js';
import { countAdmissionDecision } from '../metrics/metrics.js';

/** What every admission endpoint reads. */
export interface AdmissionDeps {
  verdicts: VerdictSource;
  /** Tag → digest, as the door resolves it (tag-cache.ts). */
  resolveTag: TagResolver;
  environments: () => ReadonlySet<string>;
  defaultEnvironment: string;
  /** `host:port` of the upstream registry (see resolveImage). */
  upstreamHost: string;
  /** Namespace → environment when the URL names none. */
  namespaceEnvironments: Readonly<Record<string, string>>;
  /** An image that cannot be judged: deny (fail closed) or allow. */
  onError: 'deny' | 'allow';
  /** Honour the ImagePolicyWebhook break-glass annotation without a grant. */
  breakGlassAnnotation: boolean;
  audit: Pick<AuditLog, 'append'>;
  logger: Logger;
}

/** The answer for one image reference, as every admission API needs it. */
export interface ImageJudgement {
  image: string;
  allowed: boolean;
  environment: string;
  repository?: string | undefined;
  digest?: string | undefined;
  status: string;
  reasons: VerdictReason[];
  /** Served but reported (warn/audit mode): one line per image. */
  warning?: string | undefined;
  /** One line for people: the image, its digest and why. */
  text: string;
}

/**
 * Judges one image reference in an environment with the verdicts the
 * registry door enforces (decide): a tag is resolved to its digest first.
 * An image that cannot be resolved is denied (or allowed, `onError`).
 */
export async function judgeImageRef(
  deps: AdmissionDeps,
  image: string,
  environment: string | undefined,
): Promise<ImageJudgement> {
  try {
    const resolved = await resolveImage(image, {
      environment,
      environments: deps.environments(),
      defaultEnvironment: deps.defaultEnvironment,
      upstreamHost: deps.upstreamHost,
      resolveTag: deps.resolveTag,
    });
    const decision = await decide(
      deps.verdicts,
      resolved.repository,
      resolved.digest,
      resolved.environment,
    );
    const text = `${image} (${resolved.repository}@${resolved.digest}): ${describeDecision(decision, resolved.environment)}`;
    const warned =
      decision.allowed && decision.reasons.some((r) => r.code === 'WARN_MODE');
    return {
      image,
      allowed: decision.allowed,
      environment: resolved.environment,
      repository: resolved.repository,
      digest: resolved.digest,
      status: decision.status,
      reasons: decision.reasons,
      warning: warned ? text : undefined,
      text,
    };
  } catch (err: unknown) {
    return {
      image,
      allowed: deps.onError === 'allow',
      environment: environment ?? deps.defaultEnvironment,
      status: 'unknown',
      reasons: [],
      text: `${image}: cannot be judged: ${messageOf(err)}`,
    };
  }
}

/** Judges several references (each distinct one once), in order. */
export async function judgeImageRefs(
  deps: AdmissionDeps,
  images: string[],
  environment: string | undefined,
): Promise<ImageJudgement[]> {
  const distinct = [...new Set(images)];
  const judged = await Promise.all(
    distinct.map((i) => judgeImageRef(deps, i, environment)),
  );
  judged.forEach(countAdmissionDecision);
  const byImage = new Map(judged.map((j) => [j.image, j]));
  return images.map((i) => byImage.get(i)!);
}
