import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { jwtVerify, SignJWT } from 'jose';
import type { Logger } from 'pino';
import type { PullCredentialStore } from '../../storage/ports.js';
import type { Caller } from './door.js';
import { verifySecret } from './secret-hash.js';

export interface PullAuthOptions {
  credentials: Pick<PullCredentialStore, 'find'>;
  /** Shared by every replica, so a token from one is good at all. */
  signingKey: string;
  tokenTtlSeconds: number;
  anonymous: boolean;
  /** Base URL clients reach Customs at, for the token realm; else from Host. */
  publicUrl: string | undefined;
  logger: Logger;
  now?: () => number;
}

const SERVICE = 'customs';
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
 * credential's environment.
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

  /** The challenge of a 401: where to get a token. */
  challenge(req: IncomingMessage): string {
    const base =
      this.#options.publicUrl ?? `http://${req.headers.host ?? 'localhost'}`;
    return `Bearer realm="${base.replace(/\/$/, '')}/token",service="${SERVICE}"`;
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
    const token = await new SignJWT({ env: caller?.bound ?? null })
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
    const caller: Caller = { bound: credential.environment, name };
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
      return { bound: env, name };
    } catch (err: unknown) {
      throw new CredentialsRefused(
        `invalid or expired token (${(err as { code?: string }).code ?? 'invalid'})`,
      );
    }
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
