/**
 * Upstream authentication as distribution does it: anonymous first, then
 * whatever the 401 challenge asks for: `Basic` with the configured
 * credentials, or `Bearer` through the token flow
 * (https://distribution.github.io/distribution/spec/auth/token/).
 * A configured static token is always sent as `Bearer`.
 */
import type { Logger } from 'pino';
import { UpstreamError } from '../../core/errors.js';
import { readBounded, statusError, type CallContext } from './response.js';
import { TokenCache } from './token-cache.js';
import type { Transport } from './transport.js';
import { findChallenge, parseWwwAuthenticate } from './www-authenticate.js';

/** Credentials of one upstream. Never logged, never put in errors. */
export interface Credentials {
  username?: string | undefined;
  password?: string | undefined;
  token?: string | undefined;
}

/** Options of {@link Authenticator}. */
export interface AuthenticatorOptions {
  credentials: Credentials;
  /** The registry's URL: credentials go to realms on its host or over https. */
  upstream: URL;
  /** Hosts besides the registry's that a token realm may name. */
  allowedHosts: readonly string[];
  transport: Transport;
  logger: Logger;
  now?: () => number;
}

const MAX_TOKEN_RESPONSE_BYTES = 1024 * 1024;

/**
 * Chooses the Authorization header of each request and answers challenges.
 * Learns the registry's scheme from its first challenge so later requests
 * authenticate up front instead of paying a 401 round trip each.
 */
export class Authenticator {
  readonly #options: AuthenticatorOptions;
  readonly #basic: string | undefined;
  readonly #tokens: TokenCache;
  readonly #inflight = new Map<string, Promise<string>>();
  #bearer: { realm: string; service: string | undefined } | undefined;
  #isBasic = false;

  constructor(options: AuthenticatorOptions) {
    this.#options = options;
    const { username, password } = options.credentials;
    this.#basic =
      username !== undefined && password !== undefined
        ? `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`
        : undefined;
    this.#tokens = new TokenCache(options.now);
  }

  /**
   * The Authorization to send before any challenge for `scope`
   * (`repository:<name>:pull`, or '' for /v2/): the static token, Basic once
   * the registry asked for it, or a (cached or fetched) bearer token.
   */
  async authorizationFor(
    scope: string,
    signal?: AbortSignal,
  ): Promise<string | undefined> {
    const { token } = this.#options.credentials;
    if (token !== undefined) return `Bearer ${token}`;
    if (this.#isBasic) return this.#basic;
    if (this.#bearer === undefined) return undefined;
    return `Bearer ${await this.#token(scope, scope, signal)}`;
  }

  /**
   * The Authorization to retry with after a 401 carrying `challenge`, or
   * undefined when there is nothing better to send (then the 401 stands).
   * `sent` is what the refused request carried.
   */
  async answer(
    challenge: string[],
    request: {
      scope: string;
      sent: string | undefined;
      signal?: AbortSignal | undefined;
    },
  ): Promise<string | undefined> {
    if (this.#options.credentials.token !== undefined) return undefined;
    const challenges = parseWwwAuthenticate(challenge);
    const bearer = findChallenge(challenges, 'bearer');
    const realm = bearer?.params['realm'];
    if (bearer !== undefined && realm !== undefined) {
      this.#bearer = { realm, service: bearer.params['service'] };
      // A cached token the registry refused is stale: fetch a new one.
      if (request.sent?.startsWith('Bearer ') === true)
        this.#tokens.delete(request.scope);
      const scope = bearer.params['scope'] ?? request.scope;
      return `Bearer ${await this.#token(request.scope, scope, request.signal)}`;
    }
    if (
      findChallenge(challenges, 'basic') !== undefined &&
      this.#basic !== undefined
    ) {
      if (request.sent === this.#basic) return undefined;
      this.#isBasic = true;
      return this.#basic;
    }
    return undefined;
  }

  /** A token for `cacheKey`, shared by concurrent callers (one fetch per scope). */
  async #token(
    cacheKey: string,
    scope: string,
    signal?: AbortSignal,
  ): Promise<string> {
    const cached = this.#tokens.get(cacheKey);
    if (cached !== undefined) return cached;
    let pending = this.#inflight.get(cacheKey);
    if (pending === undefined) {
      // Not tied to one caller's signal: others may be waiting for it too.
      // The transport's timeout bounds it.
      pending = this.#fetchToken(cacheKey, scope).finally(() => {
        this.#inflight.delete(cacheKey);
      });
      this.#inflight.set(cacheKey, pending);
    }
    return untilAborted(pending, signal);
  }

  async #fetchToken(cacheKey: string, scope: string): Promise<string> {
    const url = this.#tokenUrl(scope);
    const context: CallContext = {
      tokenEndpoint: `${url.origin}${url.pathname}`,
      scope,
    };
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.#basic !== undefined && this.#mayReceiveCredentials(url)) {
      headers['authorization'] = this.#basic;
    }
    const response = await this.#options.transport.send(
      {
        origin: url.origin,
        path: `${url.pathname}${url.search}`,
        method: 'GET',
        headers,
      },
      context,
    );
    if (response.statusCode !== 200) throw await statusError(response, context);
    const body = await readBounded(response.body, {
      limit: MAX_TOKEN_RESPONSE_BYTES,
      declared: undefined,
      context,
    });
    const { token, expiresIn } = parseTokenResponse(body, context);
    this.#tokens.set(cacheKey, token, expiresIn);
    this.#options.logger.debug(
      { ...context, expiresIn },
      'fetched upstream token',
    );
    return token;
  }

  #tokenUrl(scope: string): URL {
    const bearer = this.#bearer;
    let url: URL | undefined;
    try {
      url = bearer === undefined ? undefined : new URL(bearer.realm);
    } catch (err: unknown) {
      void err; // reported below as a bad challenge
    }
    if (
      url === undefined ||
      (url.protocol !== 'https:' && url.protocol !== 'http:')
    ) {
      throw new UpstreamError(
        'UPSTREAM_BAD_RESPONSE',
        'invalid bearer realm in challenge',
        {
          details: { upstream: 401 },
        },
      );
    }
    if (
      !isAllowedHost(url, this.#options.upstream, this.#options.allowedHosts)
    ) {
      // A challenge must not be able to send Customs to a host of its choosing.
      throw new UpstreamError(
        'UPSTREAM_BAD_RESPONSE',
        `token realm on ${url.host} is not allowed (upstream.allowedHosts)`,
        {
          details: { upstream: 401, realmHost: url.host },
        },
      );
    }
    if (bearer?.service !== undefined)
      url.searchParams.set('service', bearer.service);
    for (const s of scope.split(' '))
      if (s !== '') url.searchParams.append('scope', s);
    return url;
  }

  /**
   * Basic credentials go only to a realm over https or on the registry's own
   * host: a challenge must not be able to send our password in clear text
   * to a host of its choosing.
   */
  #mayReceiveCredentials(realm: URL): boolean {
    if (
      realm.protocol === 'https:' ||
      realm.hostname === this.#options.upstream.hostname
    ) {
      return true;
    }
    this.#options.logger.warn(
      { tokenEndpoint: `${realm.origin}${realm.pathname}` },
      'not sending credentials to a plain-http token realm on another host',
    );
    return false;
  }
}

/** `promise`, or a rejection with the abort reason when `signal` fires first. */
function untilAborted<T>(
  promise: Promise<T>,
  signal?: AbortSignal,
): Promise<T> {
  if (signal === undefined) return promise;
  signal.throwIfAborted();
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void =>
      reject(
        signal.reason instanceof Error ? signal.reason : new Error('aborted'),
      );
    signal.addEventListener('abort', onAbort, { once: true });
    promise
      .then(resolve, reject)
      .finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function parseTokenResponse(
  body: Buffer,
  context: CallContext,
): { token: string; expiresIn: number | undefined } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch (err: unknown) {
    throw badToken(context, err);
  }
  const record =
    typeof parsed === 'object' && parsed !== null
      ? (parsed as Record<string, unknown>)
      : {};
  // The spec names it `token`; OAuth2-style servers send `access_token`.
  const token = [record['token'], record['access_token']].find(
    (t): t is string => typeof t === 'string' && t !== '',
  );
  if (token === undefined) throw badToken(context);
  const expiresIn =
    typeof record['expires_in'] === 'number' ? record['expires_in'] : undefined;
  return { token, expiresIn };
}

function badToken(context: CallContext, cause?: unknown): UpstreamError {
  return new UpstreamError(
    'UPSTREAM_BAD_RESPONSE',
    'token endpoint sent no token',
    {
      details: { ...context, upstream: 200 },
      cause,
    },
  );
}

/** The upstream's own host, or one of the hosts configured as allowed. */
export function isAllowedHost(
  url: URL,
  upstream: URL,
  allowedHosts: readonly string[],
): boolean {
  return (
    url.host === upstream.host ||
    url.hostname === upstream.hostname ||
    allowedHosts.includes(url.host) ||
    allowedHosts.includes(url.hostname)
  );
}
