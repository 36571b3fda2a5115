import { metrics } from '../metrics/metrics.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  AdmissionReviewInvalid,
  mutateAdmission,
  validateAdmission,
} from './admission-review.js';
import {
  answerBatch,
  answerProviderRequest,
  ExternalDataInvalid,
} from './external-data.js';
import { ImageReviewInvalid, reviewImages } from './image-review.js';
import type { AdmissionDeps } from './judge-image-ref.js';

export interface AdmissionHttpOptions {
  maxBodyBytes: number;
}

type Answer = (
  deps: AdmissionDeps,
  body: unknown,
  environment: string | undefined,
) => Promise<object>;

/**
 * The admission endpoints (POST, JSON). The environment comes from the
 * last path segment or `?environment=`, else the namespace map, else the
 * default. Each answers in its consumer's schema.
 */
export const ADMISSION_ENDPOINTS: Record<string, Answer> = {
  imagereview: reviewImages,
  validate: validateAdmission,
  mutate: (deps, body) => mutateAdmission(deps, body),
  gatekeeper: answerProviderRequest,
  batch: answerBatch,
};

const PATH_RE = /^\/admission\/([a-z]+)(?:\/([a-z][a-z0-9-]{0,62}))?\/?$/;

/**
 * The admission door on node's own request/response (the hot path: no
 * framework). Malformed requests get `{"error":{code,message}}` 400; a
 * failure to answer is a 500, which the webhook's `failurePolicy: Fail`
 * turns into a denial.
 */
export function createAdmissionHandler(
  deps: AdmissionDeps,
  options: AdmissionHttpOptions,
) {
  const log = deps.logger.child({ component: 'admission' });
  return (req: IncomingMessage, res: ServerResponse): void => {
    handle(deps, options, req, res).catch((err: unknown) => {
      log.error({ err }, 'unexpected failure answering admission');
      send(res, 500, {
        error: { code: 'INTERNAL', message: 'internal error' },
      });
    });
  };
}

async function handle(
  deps: AdmissionDeps,
  options: AdmissionHttpOptions,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://admission');
  const match = PATH_RE.exec(url.pathname);
  const answer = match ? ADMISSION_ENDPOINTS[match[1]!] : undefined;
  if (!match || !answer)
    return fail(res, 404, 'NOT_FOUND', 'no such admission endpoint');
  if (req.method !== 'POST')
    return fail(res, 405, 'METHOD_NOT_ALLOWED', 'POST a review');
  const environment =
    match[2] ?? url.searchParams.get('environment') ?? undefined;
  if (environment !== undefined && !deps.environments().has(environment))
    return fail(
      res,
      400,
      'ENVIRONMENT_UNKNOWN',
      `unknown environment ${environment}`,
    );
  const body = await readBody(req, options.maxBodyBytes);
  if (body === undefined)
    return fail(
      res,
      413,
      'BODY_TOO_LARGE',
      `body over ${options.maxBodyBytes} bytes`,
    );
  let doc: unknown;
  try {
    doc = JSON.parse(body.toString('utf8'));
  } catch {
    return fail(res, 400, 'REVIEW_INVALID', 'body is not valid JSON');
  }
  try {
    const started = performance.now();
    const answered = await answer(deps, doc, environment);
    metrics.admissionDuration.observe((performance.now() - started) / 1000);
    send(res, 200, answered);
  } catch (err: unknown) {
    if (
      err instanceof ImageReviewInvalid ||
      err instanceof AdmissionReviewInvalid ||
      err instanceof ExternalDataInvalid
    )
      return fail(res, 400, 'REVIEW_INVALID', err.message);
    throw err;
  }
}

async function readBody(
  req: IncomingMessage,
  limit: number,
): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function fail(
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
): void {
  send(res, status, { error: { code, message } });
}

function send(res: ServerResponse, status: number, body: object): void {
  const text = Buffer.from(JSON.stringify(body));
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': String(text.length),
  });
  res.end(text);
}
