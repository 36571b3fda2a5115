import { z } from 'zod';
import {
  judgeImageRefs,
  type AdmissionDeps,
  type ImageJudgement,
} from './judge-image-ref.js';
import { podImages } from './pod-images.js';

const API_VERSION = 'admission.k8s.io/v1';

const admissionReviewSchema = z.looseObject({
  apiVersion: z.literal(API_VERSION),
  kind: z.literal('AdmissionReview'),
  request: z.looseObject({
    uid: z.string().min(1),
    kind: z.looseObject({ kind: z.string() }),
    namespace: z.string().optional(),
    operation: z.string().optional(),
    object: z.unknown().optional(),
  }),
});

type AdmissionRequest = z.infer<typeof admissionReviewSchema>['request'];

/** The body was not an AdmissionReview (answered 400). */
export class AdmissionReviewInvalid extends Error {}

/**
 * Answers a validating AdmissionReview (admission.k8s.io/v1) for a Pod or a
 * workload: allowed only when every container, init container and ephemeral
 * container image is eligible in the environment (from the URL, else the
 * namespace map, else the default). Warn-mode images are admitted with
 * `warnings`. https://kubernetes.io/docs/reference/access-authn-authz/extensible-admission-controllers/#response
 */
export async function validateAdmission(
  deps: AdmissionDeps,
  body: unknown,
  environment: string | undefined,
): Promise<object> {
  const request = parseReview(body);
  const judged = await judgeRequest(deps, request, environment);
  const denied = judged.filter((j) => !j.allowed);
  const warnings = judged.flatMap((j) => (j.warning ? [j.warning] : []));
  return review({
    uid: request.uid,
    allowed: denied.length === 0,
    ...(denied.length > 0
      ? {
          status: {
            code: 403,
            reason: 'Forbidden',
            message: denied.map((j) => j.text).join(' | '),
          },
        }
      : {}),
    ...(warnings.length > 0 ? { warnings } : {}),
  });
}

/**
 * Answers a mutating AdmissionReview: pins every tag to the digest it
 * names now (a JSONPatch), so the pod runs what was judged. It never
 * denies; the validating webhook does. A tag that cannot be resolved stays.
 */
export async function mutateAdmission(
  deps: AdmissionDeps,
  body: unknown,
): Promise<object> {
  const request = parseReview(body);
  const images = podImages(request.kind.kind, request.object);
  const tagged = images.filter((i) => !i.image.includes('@'));
  const judged = await judgeImageRefs(
    deps,
    tagged.map((i) => i.image),
    undefined,
  );
  const patch = tagged.flatMap((i, n) => {
    const digest = judged[n]?.digest;
    return digest
      ? [{ op: 'replace', path: i.path, value: pinned(i.image, digest) }]
      : [];
  });
  return review({
    uid: request.uid,
    allowed: true,
    ...(patch.length > 0
      ? {
          patchType: 'JSONPatch',
          patch: Buffer.from(JSON.stringify(patch)).toString('base64'),
        }
      : {}),
  });
}

function parseReview(body: unknown): AdmissionRequest {
  const parsed = admissionReviewSchema.safeParse(body);
  if (!parsed.success)
    throw new AdmissionReviewInvalid(
      parsed.error.issues
        .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
        .join('; '),
    );
  return parsed.data.request;
}

async function judgeRequest(
  deps: AdmissionDeps,
  request: AdmissionRequest,
  environment: string | undefined,
): Promise<ImageJudgement[]> {
  const images = podImages(request.kind.kind, request.object);
  const env =
    environment ??
    (request.namespace === undefined
      ? undefined
      : deps.namespaceEnvironments[request.namespace]);
  return judgeImageRefs(
    deps,
    images.map((i) => i.image),
    env,
  );
}

function review(response: object): object {
  return { apiVersion: API_VERSION, kind: 'AdmissionReview', response };
}

/** `host/repo:tag` → `host/repo@digest` (a port's colon is not a tag's). */
function pinned(image: string, digest: string): string {
  const slash = image.lastIndexOf('/');
  const colon = image.lastIndexOf(':');
  return `${colon > slash ? image.slice(0, colon) : image}@${digest}`;
}
