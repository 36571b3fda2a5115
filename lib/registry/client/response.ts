/**
 * Helpers over undici responses: header access, discarding and bounded
 * reading of bodies, and the mapping of final statuses to UpstreamError.
 */
import { metrics } from '../../metrics/metrics.js';
import type { Readable } from 'node:stream';
import { UpstreamError } from '../../core/errors.js';

/** Safe-to-show facts about a call, copied into error details and logs. */
export type CallContext = Readonly<Record<string, string | number | undefined>>;

/** Response headers as undici returns them. */
export type Headers = Record<string, string | string[] | undefined>;

/** The first value of header `name` (lower-case). */
export function header(headers: Headers, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Every value of header `name`, for headers that may repeat. */
export function headerValues(headers: Headers, name: string): string[] {
  const value = headers[name];
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** Content-Length as a number, or undefined when absent or malformed. */
export function contentLength(headers: Headers): number | undefined {
  const raw = header(headers, 'content-length');
  return raw !== undefined && /^\d+$/.test(raw) ? Number(raw) : undefined;
}

/** The media type of Content-Type without parameters (`; charset=…`). */
export function mediaTypeOf(headers: Headers): string | undefined {
  const raw = header(headers, 'content-type');
  const type = raw?.split(';')[0]?.trim().toLowerCase();
  return type === '' ? undefined : type;
}

/**
 * Throws away a body we will not read. A small rest is read so the
 * keep-alive connection can be reused; a large one closes the socket.
 */
export async function discard(
  body: Readable & { dump?: (o: { limit: number }) => Promise<void> },
): Promise<void> {
  try {
    if (body.dump !== undefined) await body.dump({ limit: 64 * 1024 });
    else body.destroy();
  } catch (err: unknown) {
    // The body was already broken: nothing to reuse, nothing to report.
    void err;
    body.destroy();
  }
}

/**
 * Reads a whole body, failing with UPSTREAM_TOO_LARGE as soon as it (or its
 * Content-Length) exceeds `limit`, and with UPSTREAM_UNAVAILABLE when the
 * connection breaks mid-body.
 */
export async function readBounded(
  body: Readable,
  options: {
    limit: number;
    declared: number | undefined;
    context: CallContext;
  },
): Promise<Buffer> {
  const { limit, declared, context } = options;
  const tooLarge = (size: number): UpstreamError =>
    tooLargeError(context, limit, size);
  if (declared !== undefined && declared > limit) {
    body.destroy();
    throw tooLarge(declared);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (total > limit) throw tooLarge(total);
      chunks.push(chunk);
    }
  } catch (err: unknown) {
    body.destroy();
    if (err instanceof UpstreamError) throw err;
    throw new UpstreamError(
      'UPSTREAM_UNAVAILABLE',
      'upstream body was cut off',
      {
        details: { ...context, upstream: networkCode(err) },
        cause: err,
      },
    );
  }
  return Buffer.concat(chunks, total);
}

function tooLargeError(
  context: CallContext,
  limit: number,
  size: number,
): UpstreamError {
  return new UpstreamError(
    'UPSTREAM_TOO_LARGE',
    `upstream body exceeds ${limit} bytes`,
    { details: { ...context, upstream: 200, limit, size } },
  );
}

/**
 * The error of a final non-success status (after auth and retries):
 * 401 UPSTREAM_UNAUTHORIZED (with the registry's WWW-Authenticate),
 * 403 UPSTREAM_DENIED, 404 UPSTREAM_NOT_FOUND, anything else
 * UPSTREAM_BAD_RESPONSE. Discards the body; never includes it.
 */
export async function statusError(
  response: { statusCode: number; headers: Headers; body: Readable },
  context: CallContext,
): Promise<UpstreamError> {
  await discard(response.body);
  const status = response.statusCode;
  // A 404 is an answer (no such tag), not a failure of the upstream.
  if (status !== 404) metrics.upstreamErrors.inc({ reason: `HTTP_${status}` });
  const details: Record<string, unknown> = { ...context, upstream: status };
  switch (status) {
    case 401: {
      const challenge = headerValues(response.headers, 'www-authenticate');
      if (challenge.length > 0)
        details['wwwAuthenticate'] = challenge.join(', ');
      return new UpstreamError(
        'UPSTREAM_UNAUTHORIZED',
        'upstream refused our credentials',
        { details },
      );
    }
    case 403:
      return new UpstreamError('UPSTREAM_DENIED', 'upstream denied access', {
        details,
      });
    case 404:
      return new UpstreamError('UPSTREAM_NOT_FOUND', 'not found upstream', {
        details,
      });
    default:
      return new UpstreamError(
        'UPSTREAM_BAD_RESPONSE',
        `unexpected upstream status ${status}`,
        { details },
      );
  }
}

/** A short code for a network failure (`ECONNREFUSED`, `UND_ERR_SOCKET`…). */
export function networkCode(err: unknown): string {
  if (typeof err === 'object' && err !== null && 'code' in err) {
    const { code } = err;
    if (typeof code === 'string') return code;
  }
  return err instanceof Error ? err.name : 'UNKNOWN';
}
