import { z } from 'zod';
import { judgeImageRefs, type AdmissionDeps } from './judge-image-ref.js';

const GATEKEEPER_API = 'externaldata.gatekeeper.sh/v1beta1';

const providerRequestSchema = z.looseObject({
  apiVersion: z.literal(GATEKEEPER_API),
  kind: z.literal('ProviderRequest'),
  request: z.looseObject({
    keys: z.array(z.string().min(1).max(1024)).max(1000),
  }),
});

const batchSchema = z.strictObject({
  environment: z.string().min(1).optional(),
  images: z.array(z.string().min(1).max(1024)).min(1).max(1000),
});

/** The body was not what the endpoint takes (answered 400). */
export class ExternalDataInvalid extends Error {}

/**
 * Answers a Gatekeeper external-data ProviderRequest: one item per key
 * (image), with the verdict as `value` and, when the image is not
 * eligible, the reason as `error` (a constraint template denies on it).
 * https://open-policy-agent.github.io/gatekeeper/website/docs/externaldata
 */
export async function answerProviderRequest(
  deps: AdmissionDeps,
  body: unknown,
  environment: string | undefined,
): Promise<object> {
  const parsed = providerRequestSchema.safeParse(body);
  if (!parsed.success) throw new ExternalDataInvalid(problems(parsed.error));
  const judged = await judgeImageRefs(
    deps,
    parsed.data.request.keys,
    environment,
  );
  return {
    apiVersion: GATEKEEPER_API,
    kind: 'ProviderResponse',
    response: {
      idempotent: true,
      items: judged.map((j) => ({
        key: j.image,
        value: {
          allowed: j.allowed,
          status: j.status,
          environment: j.environment,
          digest: j.digest ?? null,
        },
        ...(j.allowed ? {} : { error: j.text }),
      })),
    },
  };
}

/**
 * `POST /admission/batch` `{environment?, images}` for any other
 * controller: `{results: [{image, allowed, status, environment,
 * repository, digest, reasons, warning}]}`.
 */
export async function answerBatch(
  deps: AdmissionDeps,
  body: unknown,
  environment: string | undefined,
): Promise<object> {
  const parsed = batchSchema.safeParse(body);
  if (!parsed.success) throw new ExternalDataInvalid(problems(parsed.error));
  const named = parsed.data.environment;
  if (named !== undefined && !deps.environments().has(named))
    throw new ExternalDataInvalid(`environment: unknown environment ${named}`);
  const judged = await judgeImageRefs(
    deps,
    parsed.data.images,
    environment ?? parsed.data.environment,
  );
  return {
    results: judged.map(({ text: _text, ...rest }) => rest),
  };
}

function problems(error: z.ZodError): string {
  return error.issues
    .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
    .join('; ');
}
