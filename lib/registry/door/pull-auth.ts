import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { jwtVerify, SignJWT } from 'jose';
import type { Logger } from 'pino';
import type { PullCredentialStore } from '../../storage/ports.js';
import { isRepositoryName } from '../../core/reference.js';
import type { Caller } from './door.js';
import { mayPush } from './push-grants.js';
import { verifySecret } from './secret-hash.js';

export interface PullAuthOptions {
  credentials: Pick<PullCredentialStore, 'find'>;
  /** Shared by every replica, so a token from one is good at all. */
  signingKey: string;
  tokenTtlSeconds: number;
  anonymous: boolean;
  /** Base URL clients reach Customs at, for the token realm; else from Host. */
  publicUrl: string | undefined;
  /**
   * The upstream repository a name of a token scope stands for (the door
   * strips an environment prefix); undefined for a name that is invalid.
   * Default: the name itself.
   */
  repositoryOf?: (name: string) => string | undefined;
  logger: Logger;
  now?: () => number;
}

const SERVICE = 'customs';
/** `repository:<name>:<actions>` (a name may hold `:` only in a port, not here). */
const SCOPE_RE = /^repository:([^:]+):([a-z*,]+)$/;
const ISSUER = 'customs';
/** Basic credentials verified recently (scrypt is slow by design). */
const VERIFIED_TTL_MS = 60_000;
const MAX_VERIFIED = 10_000;

/** Why credentials were refused (said to the client only when the secret was right). */
export class CredentialsRefused extends Error {}

/**
 * Pull accounts and robot tokens, as docker, podman, skopeo and containerd
 * use them: Basic credentials on each request, or the Docker token flow
 * (https://distribution.github.io/distribution/spec/auth/token/) — a 401
 * with `WWW-Authenticate: Bearer realm=…/token`, then `GET /token` with
 * Basic credentials, then a short-lived signed token bound to the
 * credential's environment. A token carries `push` for the repositories of
 * its requested scope (`repository:<name>:pull,push`) that the credential
 * may push to, and for no others.
 */
export class PullAuth {
  readonly #options: PullAuthOptions;
  readonly #key: Uint8Array;
  readonly #verified = new Map<string, { caller: Caller; until: number }>();

  constructor(options: PullAuthOptions) {
    this.#options = options;
    this.#key = new TextEncoder().encode(options.signingKey);
  }

  /** The caller named by the request's credentials; throws CredentialsRefused. */
  async authenticate(req: IncomingMessage): Promise<Caller | undefined> {
    const header = req.headers.authorization ?? '';
    const [scheme = '', value = ''] = header.split(/\s+/, 2);
    if (/^basic$/i.test(scheme)) return this.#basic(header, value);
    if (/^bearer$/i.test(scheme)) return this.#bearer(value);
    return undefined;
  }

  /**
   * The challenge of a 401: where to get a token, and for a write the scope
   * to ask for (`repository:<name>:pull,push`), as distribution names it.
   */
  challenge(req: IncomingMessage, scope?: string): string {
    const base =
      this.#options.publicUrl ?? `http://${req.headers.host ?? 'localhost'}`;
    const realm = `Bearer realm="${base.replace(/\/$/, '')}/token",service="${SERVICE}"`;
    return scope === undefined ? realm : `${realm},scope="${scope}"`;
  }

  /** `GET /token`: a signed token for the presented credentials (or anonymous). */
  async serveToken(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let caller: Caller | undefined;
    try {
      caller = req.headers.authorization
        ? await this.authenticate(req)
        : undefined;
    } catch (err: unknown) {
      return sendJson(
        res,
        401,
        { errors: [{ code: 'UNAUTHORIZED', message: (err as Error).message }] },
        this.challenge(req),
      );
    }
    if (!caller && (req.headers.authorization || !this.#options.anonymous)) {
      return sendJson(
        res,
        401,
        {
          errors: [
            { code: 'UNAUTHORIZED', message: 'authentication required' },
          ],
        },
        this.challenge(req),
      );
    }
    const now = this.#now();
    const ttl = this.#options.tokenTtlSeconds;
    const push = caller ? this.#grantedPush(req, caller) : [];
    const token = await new SignJWT({ env: caller?.bound ?? null, push })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(caller?.name ?? 'anonymous')
      .setIssuer(ISSUER)
      .setAudience(SERVICE)
      .setIssuedAt(Math.floor(now / 1000))
      .setExpirationTime(Math.floor(now / 1000) + ttl)
      .sign(this.#key);
    sendJson(res, 200, {
      token,
      access_token: token,
      expires_in: ttl,
      issued_at: new Date(now).toISOString(),
    });
  }

  async #basic(header: string, value: string): Promise<Caller> {
    const cacheKey = createHash('sha256').update(header).digest('hex');
    const cached = this.#verified.get(cacheKey);
    if (cached && cached.until > this.#now()) return cached.caller;
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const name = decoded.slice(0, colon);
    const credential =
      colon > 0 ? await this.#options.credentials.find(name) : undefined;
    if (
      !credential ||
      credential.revokedAt ||
      !(await verifySecret(decoded.slice(colon + 1), credential.secretHash))
    ) {
      this.#options.logger.warn({ account: name }, 'invalid pull credentials');
      throw new CredentialsRefused('invalid credentials');
    }
    if (
      credential.expiresAt &&
      Date.parse(credential.expiresAt) <= this.#now()
    ) {
      throw new CredentialsRefused(
        `credentials ${name} expired at ${credential.expiresAt}`,
      );
    }
    const caller: Caller = {
      bound: credential.environment,
      name,
      push: credential.pushRepositories,
    };
    const until = Math.min(
      this.#now() + VERIFIED_TTL_MS,
      credential.expiresAt ? Date.parse(credential.expiresAt) : Infinity,
    );
    this.#verified.set(cacheKey, { caller, until });
    if (this.#verified.size > MAX_VERIFIED)
      this.#verified.delete(this.#verified.keys().next().value!);
    return caller;
  }

  async #bearer(token: string): Promise<Caller> {
    try {
      const { payload } = await jwtVerify(token, this.#key, {
        issuer: ISSUER,
        audience: SERVICE,
        algorithms: ['HS256'],
        currentDate: new Date(this.#now()),
      });
      const env = typeof payload.env === 'string' ? payload.env : undefined;
      const name = payload.sub ?? 'anonymous';
      if (env === undefined && !this.#options.anonymous)
        throw new Error('anonymous pulls are off');
      const push = Array.isArray(payload['push'])
        ? payload['push'].filter((r): r is string => typeof r === 'string')
        : [];
      return { bound: env, name, push };
    } catch (err: unknown) {
      throw new CredentialsRefused(
        `invalid or expired token (${(err as { code?: string }).code ?? 'invalid'})`,
      );
    }
  }

  /**
   * The repositories of the request's push scopes the caller may push to
   * (https://distribution.github.io/distribution/spec/auth/scope/): exact
   * names, so the token grants no more than was asked and allowed.
   */
  #grantedPush(req: IncomingMessage, caller: Caller): string[] {
    const params = new URL(req.url ?? '/', 'http://token').searchParams;
    const granted = new Set<string>();
    for (const scope of params.getAll('scope').flatMap((s) => s.split(' '))) {
      const m = SCOPE_RE.exec(scope);
      if (!m?.[2]?.split(',').includes('push')) continue;
      const repository = (this.#options.repositoryOf ?? validName)(m[1]!);
      if (repository !== undefined && mayPush(caller.push, repository))
        granted.add(repository);
    }
    return [...granted];
  }

  #now(): number {
    return this.#options.now?.() ?? Date.now();
  }
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: object,
  challenge?: string,
): void {
  const text = Buffer.from(JSON.stringify(body));
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': String(text.length),
    ...(challenge ? { 'WWW-Authenticate': challenge } : {}),
  });
  res.end(text);
}

function validName(name: string): string | undefined {
  return isRepositoryName(name) ? name : undefined;
}
