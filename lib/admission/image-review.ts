import { countRefusal, metrics } from '../metrics/metrics.js';
import type { Logger } from 'pino';
import { z } from 'zod';
import { messageOf } from '../core/errors.js';
import { decide, describeDecision } from '../policy/decide.js';
import type { VerdictSource } from '../policy/verdict-source.js';
import type { UpstreamClient } from '../registry/client/upstream-client.js';
import { resolveImage } from './resolve-image.js';

const API_VERSION = 'imagepolicy.k8s.io/v1alpha1';

const imageReviewSchema = z.looseObject({
  apiVersion: z.literal(API_VERSION),
  kind: z.literal('ImageReview'),
  spec: z.looseObject({
    containers: z
      .array(z.looseObject({ image: z.string().min(1).max(1024) }))
      .max(256)
      .default([]),
    annotations: z.record(z.string(), z.string()).optional(),
    namespace: z.string().optional(),
  }),
});

export interface ImageReviewDeps {
  verdicts: VerdictSource;
  upstream: Pick<UpstreamClient, 'headManifest'>;
  environments: () => ReadonlySet<string>;
  defaultEnvironment: string;
  /** `host:port` of the upstream registry (see resolveImage). */
  upstreamHost: string;
  logger: Logger;
}

export interface ImageReviewStatus {
  allowed: boolean;
  reason: string;
  auditAnnotations: Record<string, string>;
}

/** The ImageReview body was not one (answered 400 by the HTTP adapter). */
export class ImageReviewInvalid extends Error {}

/**
 * Answers a Kubernetes ImagePolicyWebhook ImageReview
 * (https://kubernetes.io/docs/reference/access-authn-authz/admission-controllers/#imagepolicywebhook)
 * with the verdicts the registry door enforces: allowed only when every
 * container image is eligible in the environment. An image that cannot be
 * resolved (unknown tag, upstream down) is denied: the gate fails closed.
 */
export async function reviewImages(
  deps: ImageReviewDeps,
  body: unknown,
  environment: string | undefined,
): Promise<object> {
  const parsed = imageReviewSchema.safeParse(body);
  if (!parsed.success) {
    throw new ImageReviewInvalid(
      parsed.error.issues
        .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
        .join('; '),
    );
  }
  const denials: string[] = [];
  const auditAnnotations: Record<string, string> = {};
  for (const [i, container] of parsed.data.spec.containers.entries()) {
    const line = await judgeContainer(deps, container.image, environment);
    auditAnnotations[`customs.image-policy.k8s.io/image-${i}`] = line.text;
    if (!line.allowed) denials.push(line.text);
  }
  const status: ImageReviewStatus = {
    allowed: denials.length === 0,
    reason:
      denials.length === 0 ? 'every image is eligible' : denials.join(' | '),
    auditAnnotations,
  };
  metrics.admissionDecisions.inc({
    environment: environment ?? deps.defaultEnvironment,
    decision: status.allowed ? 'allowed' : 'denied',
  });
  deps.logger.info(
    {
      allowed: status.allowed,
      images: parsed.data.spec.containers.length,
      namespace: parsed.data.spec.namespace,
    },
    'image review answered',
  );
  return { apiVersion: API_VERSION, kind: 'ImageReview', status };
}

async function judgeContainer(
  deps: ImageReviewDeps,
  image: string,
  environment: string | undefined,
): Promise<{ allowed: boolean; text: string }> {
  try {
    const resolved = await resolveImage(image, {
      environment,
      environments: deps.environments(),
      defaultEnvironment: deps.defaultEnvironment,
      upstreamHost: deps.upstreamHost,
      upstream: deps.upstream,
    });
    const decision = await decide(
      deps.verdicts,
      resolved.repository,
      resolved.digest,
      resolved.environment,
    );
    if (!decision.allowed) countRefusal('admission', decision.reasons);
    return {
      allowed: decision.allowed,
      text: `${image} (${resolved.repository}@${resolved.digest}): ${describeDecision(decision, resolved.environment)}`,
    };
  } catch (err: unknown) {
    return {
      allowed: false,
      text: `${image}: cannot be judged: ${messageOf(err)}`,
    };
  }
}
