/**
 * HTTP over one pooled keep-alive undici Agent (one Pool per origin: the
 * registry and its token realm), with the retry policy of retry.ts.
 * undici.request is the measured fast path (ARCHITECTURE.md "Hot paths").
 */
import { metrics } from '../../metrics/metrics.js';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Readable } from 'node:stream';
import type { Logger } from 'pino';
import { Agent, type Dispatcher } from 'undici';
import { UpstreamError } from '../../core/errors.js';
import { isRetryableStatus, parseRetryAfterMs, retryDelayMs } from './retry.js';
import { discard, networkCode, type CallContext } from './response.js';

/** One HTTP exchange: GET or HEAD of `path` (with query) at `origin`. */
export interface SendRequest {
  origin: string;
  path: string;
  method: 'GET' | 'HEAD';
  headers: Record<string, string>;
  signal?: AbortSignal | undefined;
}

/**
 * A forwarded write: any method, with a body streamed once (so never
 * retried).
 */
export interface SendOnceRequest {
  origin: string;
  path: string;
  method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  headers: Record<string, string>;
  body?: Readable | undefined;
  signal?: AbortSignal | undefined;
}

/** A response whose status is final (success, 4xx other than 408/429, 3xx). */
export type SendResponse = Dispatcher.ResponseData;

/** Options of {@link Transport}. */
export interface TransportOptions {
  timeoutMs: number;
  retries: number;
  logger: Logger;
  /** Jitter source; injectable for tests. */
  random?: () => number;
}

/** Sends requests with retries. Owns the connection pools; `close()` them. */
export class Transport {
  readonly #agent: Agent;
  readonly #options: TransportOptions;
  #closed = false;

  constructor(options: TransportOptions) {
    this.#options = options;
    this.#agent = new Agent({
      connect: { timeout: options.timeoutMs },
      headersTimeout: options.timeoutMs,
      // Idle time between body chunks, not the whole transfer: large blobs
      // may take minutes and that is fine while bytes keep coming.
      bodyTimeout: options.timeoutMs,
      keepAliveTimeout: 30_000,
    });
  }

  /**
   * Sends `request`, retrying network errors, 408, 429 and 5xx up to
   * `retries` times. Returns any other response; the caller reads or
   * discards its body. Throws UPSTREAM_UNAVAILABLE (details.upstream = the
   * last status or network error code) when retries are exhausted, and
   * rethrows the abort error as is when `request.signal` aborts.
   */
  async send(
    request: SendRequest,
    context: CallContext,
  ): Promise<SendResponse> {
    for (let attempt = 0; ; attempt++) {
      const outcome = await this.#attempt(request);
      if ('response' in outcome) return outcome.response;
      const delayMs =
        attempt < this.#options.retries
          ? retryDelayMs(attempt, outcome.retryAfterMs, this.#options.random)
          : undefined;
      if (delayMs === undefined)
        throw unavailable(outcome, context, attempt + 1);
      this.#options.logger.warn(
        {
          ...context,
          upstream: outcome.upstream,
          attempt: attempt + 1,
          delayMs,
        },
        'retrying upstream request',
      );
      await sleep(delayMs, undefined, { signal: request.signal });
    }
  }

  /**
   * Sends `request` once, whatever the answer (a streamed body cannot be
   * sent twice). Returns every response; throws UPSTREAM_UNAVAILABLE on a
   * network error, and the abort error as is when `request.signal` aborts.
   */
  async sendOnce(
    request: SendOnceRequest,
    context: CallContext,
  ): Promise<SendResponse> {
    if (this.#closed)
      throw unavailable({ upstream: 'CLIENT_CLOSED' }, context, 0);
    try {
      return await this.#agent.request({
        ...request,
        body: request.body ?? null,
        signal: request.signal ?? null,
      });
    } catch (err: unknown) {
      if (request.signal?.aborted === true) throw err;
      throw unavailable({ upstream: networkCode(err), cause: err }, context, 1);
    }
  }

  /** Closes every pooled connection. Later calls fail with UPSTREAM_UNAVAILABLE. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#agent.close();
  }

  async #attempt(request: SendRequest): Promise<Outcome> {
    if (this.#closed) {
      return {
        upstream: 'CLIENT_CLOSED',
        retryAfterMs: Number.POSITIVE_INFINITY,
      };
    }
    let response: SendResponse;
    try {
      response = await this.#agent.request({
        ...request,
        signal: request.signal ?? null,
      });
    } catch (err: unknown) {
      if (request.signal?.aborted === true) throw err;
      return { upstream: networkCode(err), cause: err };
    }
    if (!isRetryableStatus(response.statusCode)) return { response };
    const retryAfterMs = parseRetryAfterMs(response.headers['retry-after']);
    await discard(response.body);
    return { upstream: response.statusCode, retryAfterMs };
  }
}

type Outcome =
  | { response: SendResponse }
  | {
      upstream: number | string;
      retryAfterMs?: number | undefined;
      cause?: unknown;
    };

function unavailable(
  outcome: Exclude<Outcome, { response: SendResponse }>,
  context: CallContext,
  attempts: number,
): UpstreamError {
  const details: Record<string, unknown> = {
    ...context,
    upstream: outcome.upstream,
    attempts,
  };
  const { retryAfterMs } = outcome;
  if (retryAfterMs !== undefined && Number.isFinite(retryAfterMs)) {
    details['retryAfterMs'] = retryAfterMs;
  }
  metrics.upstreamErrors.inc({ reason: 'UPSTREAM_UNAVAILABLE' });
  return new UpstreamError('UPSTREAM_UNAVAILABLE', 'upstream unavailable', {
    details,
    cause: outcome.cause,
  });
}
