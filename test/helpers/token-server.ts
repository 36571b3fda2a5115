/**
 * A real Docker token server (https://distribution.github.io/distribution/spec/auth/token/)
 * for tests: node:http, ES256 JWTs signed with a key whose self-signed
 * certificate a docker-registry trusts through `auth.token.rootcertbundle`.
 *
 * distribution 2.8 (registry/auth/token/token.go, VerifySigningKey) finds
 * the signing key in the JOSE header by `x5c` (a chain verified against the
 * root bundle), `jwk`, or `kid` (libtrust key ID of a key in the bundle).
 * Both `x5c` and `kid` are offered here.
 */
import { execFile } from 'node:child_process';
import {
  createHash,
  createPrivateKey,
  randomUUID,
  sign,
  X509Certificate,
  type KeyObject,
} from 'node:crypto';
import { readFile } from 'node:fs/promises';
import {
  createServer,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';

/** One token request as the server saw it. */
export interface TokenRequestRecord {
  service: string | null;
  scopes: string[];
  /** User name from Basic auth, or undefined for anonymous requests. */
  user: string | undefined;
  status: number;
}

/** Options of {@link startTokenServer}. */
export interface TokenServerOptions {
  /** Service name the registry expects in `aud`. */
  service: string;
  /** Issuer the registry expects in `iss`. */
  issuer: string;
  /** Accepted Basic credentials: user → password. Wrong ones get 401. */
  users?: Record<string, string>;
  /** Whether anonymous requests get pull access (default true). */
  anonymousPull?: boolean;
  /** `token` (spec) or `access_token` (OAuth2 form). Default `token`. */
  tokenField?: 'token' | 'access_token';
  /** expires_in to announce; omitted when undefined. */
  expiresInSeconds?: number;
  /** How the JWT names its key: `x5c` chain (default) or libtrust `kid`. */
  keyForm?: 'x5c' | 'kid';
}

/** A running token server. */
export interface TokenServer {
  /** The realm URL: `http://127.0.0.1:PORT/token`. */
  realm: string;
  /** PEM certificate to use as the registry's rootcertbundle. */
  certPath: string;
  requests: TokenRequestRecord[];
  close(): Promise<void>;
}

const run = promisify(execFile);

/** Generates a P-256 key + self-signed certificate in `dir` and serves tokens. */
export async function startTokenServer(
  dir: string,
  options: TokenServerOptions,
): Promise<TokenServer> {
  const { key, cert, certPath } = await makeSigningCert(dir);
  const requests: TokenRequestRecord[] = [];
  const server = createServer((req, res) => {
    const record = handle(req, res, { ...options, key, cert });
    requests.push(record);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    realm: `http://127.0.0.1:${port}/token`,
    certPath,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** libtrust's key ID: base32 of the first 240 bits of sha256(SPKI DER), in groups of 4. */
export function libtrustKeyId(publicKey: KeyObject): string {
  const der = publicKey.export({ type: 'spki', format: 'der' });
  const b32 = base32(createHash('sha256').update(der).digest().subarray(0, 30));
  return b32.match(/.{1,4}/g)?.join(':') ?? b32;
}

/** A P-256 key and a self-signed certificate of it, made by openssl. */
async function makeSigningCert(
  dir: string,
): Promise<{ key: KeyObject; cert: X509Certificate; certPath: string }> {
  const keyPath = join(dir, 'token-key.pem');
  const certPath = join(dir, 'token-cert.pem');
  // prettier-ignore
  await run('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1',
    '-nodes', '-keyout', keyPath, '-out', certPath, '-days', '2',
    '-subj', '/CN=customs-test-token-issuer',
  ]);
  const key = createPrivateKey(await readFile(keyPath));
  const cert = new X509Certificate(await readFile(certPath));
  return { key, cert, certPath };
}

interface Signer extends TokenServerOptions {
  key: KeyObject;
  cert: X509Certificate;
}

function handle(
  req: IncomingMessage,
  res: ServerResponse,
  signer: Signer,
): TokenRequestRecord {
  const url = new URL(req.url ?? '/', 'http://token.invalid');
  const scopes = url.searchParams.getAll('scope');
  const service = url.searchParams.get('service');
  const user = basicUser(req.headers.authorization, signer.users ?? {});
  const record: TokenRequestRecord = {
    service,
    scopes,
    user: user?.name,
    status: 200,
  };
  if (url.pathname !== '/token' || service !== signer.service)
    record.status = 400;
  else if (user?.valid === false) record.status = 401;
  else if (user === undefined && signer.anonymousPull === false)
    record.status = 401;
  if (record.status !== 200) {
    res
      .writeHead(record.status, { 'content-type': 'application/json' })
      .end('{"details":"refused"}');
    return record;
  }
  const access = scopes.flatMap((s) => grant(s, user !== undefined));
  const body: Record<string, unknown> = {
    [signer.tokenField ?? 'token']: jwt(signer, user?.name ?? '', access),
  };
  if (signer.expiresInSeconds !== undefined)
    body['expires_in'] = signer.expiresInSeconds;
  body['issued_at'] = new Date().toISOString();
  res
    .writeHead(200, { 'content-type': 'application/json' })
    .end(JSON.stringify(body));
  return record;
}

/** Authenticated users get what they ask for; anonymous ones only pull. */
function grant(
  scope: string,
  isUser: boolean,
): Array<{ type: string; name: string; actions: string[] }> {
  const m = /^([a-z]+):(.+):([a-z*,]+)$/.exec(scope);
  if (m === null) return [];
  const actions = m[3]!.split(',').filter((a) => isUser || a === 'pull');
  return actions.length > 0 ? [{ type: m[1]!, name: m[2]!, actions }] : [];
}

function jwt(signer: Signer, subject: string, access: unknown[]): string {
  const now = Math.floor(Date.now() / 1000);
  const header =
    signer.keyForm === 'kid'
      ? { typ: 'JWT', alg: 'ES256', kid: libtrustKeyId(signer.cert.publicKey) }
      : { typ: 'JWT', alg: 'ES256', x5c: [signer.cert.raw.toString('base64')] };
  const claims = {
    iss: signer.issuer,
    sub: subject,
    aud: signer.service,
    exp: now + (signer.expiresInSeconds ?? 60),
    nbf: now - 10,
    iat: now,
    jti: randomUUID(),
    access,
  };
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
  // JWS ES256 wants the raw r||s form (RFC 7518 §3.4), not DER.
  const signature = sign('sha256', Buffer.from(input), {
    key: signer.key,
    dsaEncoding: 'ieee-p1363',
  });
  return `${input}.${signature.toString('base64url')}`;
}

function basicUser(
  authorization: string | undefined,
  users: Record<string, string>,
): { name: string; valid: boolean } | undefined {
  if (authorization?.startsWith('Basic ') !== true) return undefined;
  const decoded = Buffer.from(authorization.slice(6), 'base64').toString(
    'utf8',
  );
  const colon = decoded.indexOf(':');
  const name = decoded.slice(0, colon);
  return { name, valid: colon > 0 && users[name] === decoded.slice(colon + 1) };
}

function b64url(text: string): string {
  return Buffer.from(text).toString('base64url');
}

function base32(bytes: Buffer): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += alphabet[(value << (5 - bits)) & 31];
  return out;
}
