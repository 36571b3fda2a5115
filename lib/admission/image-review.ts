import { z } from 'zod';
import {
  judgeImageRefs,
  type AdmissionDeps,
  type ImageJudgement,
} from './judge-image-ref.js';

const API_VERSION = 'imagepolicy.k8s.io/v1alpha1';
/** The ImagePolicyWebhook break-glass convention: `<anything>.image-policy.k8s.io/break-glass: "true"`. */
const BREAK_GLASS_RE = /\.image-policy\.k8s\.io\/break-glass$/;

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
 * The break-glass annotation admits only through a stored grant (which the
 * verdict already carries) unless `breakGlassAnnotation` is on; either way
 * it is audited.
 */
export async function reviewImages(
  deps: AdmissionDeps,
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
  const { spec } = parsed.data;
  const env =
    environment ??
    (spec.namespace === undefined
      ? undefined
      : deps.namespaceEnvironments[spec.namespace]);
  const judged = await judgeImageRefs(
    deps,
    spec.containers.map((c) => c.image),
    env,
  );
  const status = statusOf(judged);
  if (breakGlassRequested(spec.annotations))
    await applyBreakGlass(deps, status, judged, spec.namespace);
  deps.logger.info(
    {
      allowed: status.allowed,
      images: spec.containers.length,
      namespace: spec.namespace,
    },
    'image review answered',
  );
  return { apiVersion: API_VERSION, kind: 'ImageReview', status };
}

function statusOf(judged: ImageJudgement[]): ImageReviewStatus {
  const denials = judged.filter((j) => !j.allowed).map((j) => j.text);
  const auditAnnotations: Record<string, string> = {};
  for (const [i, j] of judged.entries())
    auditAnnotations[`customs.image-policy.k8s.io/image-${i}`] = j.text;
  return {
    allowed: denials.length === 0,
    reason:
      denials.length === 0 ? 'every image is eligible' : denials.join(' | '),
    auditAnnotations,
  };
}

function breakGlassRequested(
  annotations: Record<string, string> | undefined,
): boolean {
  return Object.entries(annotations ?? {}).some(
    ([k, v]) => BREAK_GLASS_RE.test(k) && v.toLowerCase() === 'true',
  );
}

async function applyBreakGlass(
  deps: AdmissionDeps,
  status: ImageReviewStatus,
  judged: ImageJudgement[],
  namespace: string | undefined,
): Promise<void> {
  const honoured = deps.breakGlassAnnotation && !status.allowed;
  status.auditAnnotations['customs.image-policy.k8s.io/break-glass'] =
    deps.breakGlassAnnotation
      ? 'honoured (admission.breakGlassAnnotation)'
      : 'ignored: only a break-glass grant admits';
  if (honoured) {
    status.allowed = true;
    status.reason = `break-glass annotation honoured: ${status.reason}`;
  }
  await deps.audit.append([
    {
      actor: 'kube-apiserver',
      action: 'admission.break-glass-annotation',
      target: `namespace/${namespace ?? ''}`,
      before: null,
      after: {
        honoured,
        images: judged.map((j) => ({
          image: j.image,
          digest: j.digest ?? null,
          allowed: j.allowed,
        })),
      },
    },
  ]);
}
