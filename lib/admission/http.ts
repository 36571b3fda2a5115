import { metrics } from '../metrics/metrics.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  ImageReviewInvalid,
  reviewImages,
  type ImageReviewDeps,
} from './image-review.js';

export interface AdmissionHttpOptions {
  maxBodyBytes: number;
  /** Environment judged when the URL names none. */
  defaultEnvironment: string;
}

/**
 * The admission door on node's own request/response:
 * `POST /admission/imagereview[?environment=prod]`. Answers in the
 * consumer's schema; malformed requests get `{"error":{code,message}}` 400.
 */
export function createAdmissionHandler(
  deps: ImageReviewDeps,
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
  deps: ImageReviewDeps,
  options: AdmissionHttpOptions,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://admission');
  if (url.pathname !== '/admission/imagereview')
    return send(res, 404, {
      error: { code: 'NOT_FOUND', message: 'no such admission endpoint' },
    });
  if (req.method !== 'POST')
    return send(res, 405, {
      error: { code: 'METHOD_NOT_ALLOWED', message: 'POST an ImageReview' },
    });
  const environment = url.searchParams.get('environment') ?? undefined;
  if (environment !== undefined && !deps.environments().has(environment)) {
    return send(res, 400, {
      error: {
        code: 'ENVIRONMENT_UNKNOWN',
        message: `unknown environment ${environment}`,
      },
    });
  }
  const body = await readBody(req, options.maxBodyBytes);
  if (body === undefined)
    return send(res, 413, {
      error: {
        code: 'BODY_TOO_LARGE',
        message: `body over ${options.maxBodyBytes} bytes`,
      },
    });
  let doc: unknown;
  try {
    doc = JSON.parse(body.toString('utf8'));
  } catch {
    return send(res, 400, {
      error: { code: 'REVIEW_INVALID', message: 'body is not valid JSON' },
    });
  }
  const started = performance.now();
  try {
    const review = await reviewImages(deps, doc, environment);
    metrics.admissionDuration.observe((performance.now() - started) / 1000);
    send(res, 200, review);
  } catch (err: unknown) {
    if (err instanceof ImageReviewInvalid)
      return send(res, 400, {
        error: { code: 'REVIEW_INVALID', message: err.message },
      });
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

function send(res: ServerResponse, status: number, body: object): void {
  const text = Buffer.from(JSON.stringify(body));
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': String(text.length),
  });
  res.end(text);
}
