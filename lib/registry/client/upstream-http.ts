/**
 * One authenticated, retried, redirect-following request to the registry.
 * Status handling beyond 401 and 3xx is left to the caller.
 */
import { UpstreamError } from '../../core/errors.js';
import { isAllowedHost, type Authenticator } from './auth.js';
import { discard, header, headerValues, type CallContext } from './response.js';
import type { Readable } from 'node:stream';
import type { SendOnceRequest, SendResponse, Transport } from './transport.js';

/** A registry API call, relative to the upstream's `/v2/`. */
export interface UpstreamRequest {
  method: 'GET' | 'HEAD';
  /** Path below `/v2/`, already validated and escaped. */
  path: string;
  /** Token scope: `repository:<name>:pull`, or '' for `/v2/` itself. */
  scope: string;
  accept?: string | undefined;
  signal?: AbortSignal | undefined;
  context: CallContext;
}

/** A write forwarded to the registry (pass-through), relative to its `/v2/`. */
export interface ForwardRequest {
  method: SendOnceRequest['method'];
  /** Path below `/v2/` with its query, already validated and escaped. */
  path: string;
  /** Token scope: `repository:<name>:pull,push`, maybe with a mount source's. */
  scope: string;
  headers: Record<string, string>;
  /** Streamed once: a request with a body is never retried. */
  body?: Readable | undefined;
  signal?: AbortSignal | undefined;
  context: CallContext;
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 5;

/** Sends {@link UpstreamRequest}s to one registry. */
export class UpstreamHttp {
  readonly #base: URL;
  readonly #transport: Transport;
  readonly #auth: Authenticator;
  readonly #allowedHosts: readonly string[];
  /** The registry answered /v2/ without credentials: writes need none first. */
  #acceptsAnonymous = false;

  /** `base` is the registry URL; its path (usually empty) prefixes `/v2/`. */
  constructor(options: {
    base: URL;
    transport: Transport;
    auth: Authenticator;
    allowedHosts: readonly string[];
  }) {
    this.#base = options.base;
    this.#transport = options.transport;
    this.#auth = options.auth;
    this.#allowedHosts = options.allowedHosts;
  }

  /**
   * Sends `request` with the right Authorization, answers one 401 challenge
   * by retrying once, and follows redirects (blob storage often redirects to
   * a presigned URL). Authorization is never sent to another origin.
   * Returns the final response, whatever its status; the caller owns its body.
   */
  async request(request: UpstreamRequest): Promise<SendResponse> {
    const url = this.#url(request.path);
    const sent = await this.#auth.authorizationFor(
      request.scope,
      request.signal,
    );
    let used = sent;
    let response = await this.#send(request, url, used);
    if (response.statusCode === 401) {
      const retry = await this.#auth.answer(
        headerValues(response.headers, 'www-authenticate'),
        { scope: request.scope, sent, signal: request.signal },
      );
      if (retry !== undefined) {
        await discard(response.body);
        used = retry;
        response = await this.#send(request, url, used);
      }
    }
    return this.#followRedirects(request, { url, response, used });
  }

  /**
   * Sends a write once, with the Authorization for its scope, and returns
   * the response whatever its status, redirects not followed (their
   * Location is the caller's to judge); the caller owns its body. A
   * bodiless request answers one 401 challenge by retrying; before a body
   * is sent the registry's scheme is learnt first (a body cannot be sent
   * twice).
   */
  async forward(request: ForwardRequest): Promise<SendResponse> {
    const url = this.#url(request.path);
    if (request.body !== undefined) await this.#learnAuth(request);
    const sent = await this.#auth.authorizationFor(
      request.scope,
      request.signal,
    );
    const send = (authorization: string | undefined) =>
      this.#transport.sendOnce(
        {
          origin: url.origin,
          path: `${url.pathname}${url.search}`,
          method: request.method,
          headers: {
            ...request.headers,
            ...(authorization === undefined ? {} : { authorization }),
          },
          body: request.body,
          signal: request.signal,
        },
        request.context,
      );
    const response = await send(sent);
    if (response.statusCode !== 401) return response;
    // Learn the challenge even when the body is spent: the next write has it.
    const retry = await this.#auth.answer(
      headerValues(response.headers, 'www-authenticate'),
      { scope: request.scope, sent, signal: request.signal },
    );
    if (retry === undefined || request.body !== undefined) return response;
    await discard(response.body);
    return send(retry);
  }

  /** Asks /v2/ for the write's scope until the registry's scheme is known. */
  async #learnAuth(request: ForwardRequest): Promise<void> {
    if (this.#acceptsAnonymous) return;
    const known = await this.#auth.authorizationFor(
      request.scope,
      request.signal,
    );
    if (known !== undefined) return;
    const response = await this.request({
      method: 'GET',
      path: '',
      scope: request.scope,
      signal: request.signal,
      context: request.context,
    });
    await discard(response.body);
    if (response.statusCode !== 200) return;
    const now = await this.#auth.authorizationFor(
      request.scope,
      request.signal,
    );
    if (now === undefined) this.#acceptsAnonymous = true;
  }

  #url(path: string): URL {
    const prefix = this.#base.pathname.replace(/\/+$/, '');
    return new URL(`${prefix}/v2/${path}`, this.#base.origin);
  }

  async #followRedirects(
    request: UpstreamRequest,
    first: { url: URL; response: SendResponse; used: string | undefined },
  ): Promise<SendResponse> {
    let { url, response } = first;
    for (let hops = 0; REDIRECT_STATUSES.has(response.statusCode); hops++) {
      await discard(response.body);
      const next = redirectTarget(header(response.headers, 'location'), url);
      if (next === undefined || hops >= MAX_REDIRECTS) {
        throw new UpstreamError(
          'UPSTREAM_BAD_RESPONSE',
          'bad upstream redirect',
          {
            details: {
              ...request.context,
              upstream: response.statusCode,
              hops,
            },
          },
        );
      }
      if (!isAllowedHost(next, this.#base, this.#allowedHosts)) {
        throw new UpstreamError(
          'UPSTREAM_BAD_RESPONSE',
          `redirect to ${next.host} is not allowed (upstream.allowedHosts)`,
          {
            details: {
              ...request.context,
              upstream: response.statusCode,
              redirectHost: next.host,
            },
          },
        );
      }
      // A presigned storage URL carries its own credentials; ours must not leak.
      const keep = next.origin === first.url.origin ? first.used : undefined;
      url = next;
      response = await this.#send(request, url, keep);
    }
    return response;
  }

  #send(
    request: UpstreamRequest,
    url: URL,
    authorization: string | undefined,
  ): Promise<SendResponse> {
    const headers: Record<string, string> = {};
    if (request.accept !== undefined) headers['accept'] = request.accept;
    if (authorization !== undefined) headers['authorization'] = authorization;
    return this.#transport.send(
      {
        origin: url.origin,
        path: `${url.pathname}${url.search}`,
        method: request.method,
        headers,
        signal: request.signal,
      },
      request.context,
    );
  }
}

/** The http(s) URL a Location points to, relative to `current`. */
function redirectTarget(
  location: string | undefined,
  current: URL,
): URL | undefined {
  if (location === undefined) return undefined;
  try {
    const next = new URL(location, current);
    return next.protocol === 'http:' || next.protocol === 'https:'
      ? next
      : undefined;
  } catch (err: unknown) {
    void err; // unparsable Location: a bad redirect
    return undefined;
  }
}
