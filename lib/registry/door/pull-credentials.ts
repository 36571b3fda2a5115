import { parseExpiry } from '../../core/expiry.js';
import type {
  PullCredential,
  PullCredentialStore,
} from '../../storage/ports.js';
import { isPushPattern } from './push-grants.js';
import { hashSecret, newSecret } from './secret-hash.js';

const NAME_RE = /^[a-z0-9][a-z0-9._-]{0,62}$/;

/** A request that cannot be honoured, with the reason (answered 400 / exit 2). */
export class PullCredentialInvalid extends Error {}

export interface NewPullCredential {
  name: string;
  kind: PullCredential['kind'];
  environment: string;
  /**
   * Repositories it may also push to (pass-through writes): names, `team/*`
   * prefixes or `*`; undefined or empty = pull only.
   */
  push?: string[] | undefined;
  /** `30d`, `12h`, `90m`, or an ISO time; undefined = no expiry. */
  expires: string | undefined;
  /** For accounts: the chosen password; robots get a generated secret. */
  secret: string | undefined;
}

/**
 * Creates a pull account or robot token bound to one environment, and
 * allowed to push to the repositories of `push` if any. Returns the secret
 * to hand out — shown once, stored only as a scrypt hash. Throws
 * PullCredentialInvalid for a bad name, environment, password or pattern.
 */
export async function createPullCredential(
  store: Pick<PullCredentialStore, 'create'>,
  request: NewPullCredential,
  environments: ReadonlySet<string>,
  now: number = Date.now(),
): Promise<{
  name: string;
  secret: string;
  environment: string;
  push: string[];
  expiresAt: string | undefined;
}> {
  if (!NAME_RE.test(request.name))
    throw new PullCredentialInvalid(
      `invalid name "${request.name}" (lower-case letters, digits, . _ -)`,
    );
  if (!environments.has(request.environment)) {
    throw new PullCredentialInvalid(
      `unknown environment "${request.environment}" (known: ${[...environments].join(', ')})`,
    );
  }
  if (request.kind === 'account' && (request.secret ?? '').length < 12) {
    throw new PullCredentialInvalid(
      'an account password needs at least 12 characters',
    );
  }
  const push = [...new Set(request.push ?? [])];
  const badPattern = push.find((p) => !isPushPattern(p));
  if (badPattern !== undefined) {
    throw new PullCredentialInvalid(
      `invalid push repository "${badPattern}" (a repository name, name/* or *)`,
    );
  }
  const secret = request.kind === 'robot' ? newSecret() : request.secret!;
  const expiresAt = expiryOf(request.expires, now);
  const created = await store.create({
    name: request.name,
    kind: request.kind,
    environment: request.environment,
    pushRepositories: push,
    expiresAt,
    secretHash: await hashSecret(secret),
  });
  if (!created)
    throw new PullCredentialInvalid(
      `a credential named "${request.name}" exists`,
    );
  return {
    name: request.name,
    secret,
    environment: request.environment,
    push,
    expiresAt,
  };
}

function expiryOf(
  expires: string | undefined,
  now: number,
): string | undefined {
  const parsed = parseExpiry(expires, now);
  if ('problem' in parsed) throw new PullCredentialInvalid(parsed.problem);
  return parsed.expiresAt;
}
