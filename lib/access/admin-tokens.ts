import { createHash, randomBytes } from 'node:crypto';
import { parseExpiry } from '../core/expiry.js';
import {
  ADMIN_ROLES,
  type AdminRole,
  type AdminTokenStore,
  type AuditLog,
} from '../storage/admin-ports.js';

/** What creating and revoking tokens writes to. */
export interface AdminTokenStores {
  adminTokens: Pick<AdminTokenStore, 'create' | 'revoke'>;
  audit: Pick<AuditLog, 'append'>;
}

/** Who called the admin API: a token's name and role. */
export interface Actor {
  name: string;
  role: AdminRole;
}

/** A token request that cannot be honoured (answered 400 / exit 2). */
export class AdminTokenInvalid extends Error {}

const NAME_RE = /^[a-z0-9][a-z0-9._-]{0,62}$/;
/** Tokens carry a prefix so a leaked one is recognisable (secret scanners). */
const TOKEN_PREFIX = 'customs_';

/** True when `role` may do what `needed` allows (viewer < operator < admin). */
export function roleAtLeast(role: AdminRole, needed: AdminRole): boolean {
  return ADMIN_ROLES.indexOf(role) >= ADMIN_ROLES.indexOf(needed);
}

/** sha256 (hex) of a token: what the store keeps and looks up. */
export function hashAdminToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/**
 * Creates an admin token and returns it — shown once, stored only as its
 * sha256 — and audits it. Throws AdminTokenInvalid for a bad name, role or
 * expiry, or a name already taken.
 */
export async function createAdminToken(
  stores: AdminTokenStores,
  request: { name: string; role: string; expiresIn?: string | undefined },
  createdBy: string,
  now: number = Date.now(),
): Promise<{
  name: string;
  role: AdminRole;
  token: string;
  expiresAt?: string;
}> {
  if (!NAME_RE.test(request.name))
    throw new AdminTokenInvalid(
      `invalid name "${request.name}" (lower-case letters, digits, . _ -)`,
    );
  const role = ADMIN_ROLES.find((r) => r === request.role);
  if (!role)
    throw new AdminTokenInvalid(
      `invalid role "${request.role}" (${ADMIN_ROLES.join(', ')})`,
    );
  const expiry = parseExpiry(request.expiresIn, now);
  if ('problem' in expiry) throw new AdminTokenInvalid(expiry.problem);
  const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
  const created = await stores.adminTokens.create({
    name: request.name,
    role,
    tokenHash: hashAdminToken(token),
    createdBy,
    expiresAt: expiry.expiresAt,
  });
  if (!created)
    throw new AdminTokenInvalid(`a token named "${request.name}" exists`);
  await stores.audit.append([
    {
      actor: createdBy,
      action: 'admin-token.create',
      target: `admin-token/${request.name}`,
      before: null,
      after: { role, expiresAt: expiry.expiresAt ?? null },
    },
  ]);
  return {
    name: request.name,
    role,
    token,
    ...(expiry.expiresAt ? { expiresAt: expiry.expiresAt } : {}),
  };
}

/** Revokes a token and audits it; false when no token has that name. */
export async function revokeAdminToken(
  stores: AdminTokenStores,
  name: string,
  actor: string,
): Promise<boolean> {
  if (!(await stores.adminTokens.revoke(name))) return false;
  await stores.audit.append([
    {
      actor,
      action: 'admin-token.revoke',
      target: `admin-token/${name}`,
      before: null,
      after: null,
    },
  ]);
  return true;
}

/**
 * The actor a presented token stands for, or why it stands for nobody
 * (`unknown`, `expired`, `revoked`).
 */
export async function authenticateAdminToken(
  store: Pick<AdminTokenStore, 'findByHash'>,
  token: string,
  now: number = Date.now(),
): Promise<Actor | 'unknown' | 'expired' | 'revoked'> {
  const found = await store.findByHash(hashAdminToken(token));
  if (!found) return 'unknown';
  if (found.revokedAt) return 'revoked';
  if (found.expiresAt && Date.parse(found.expiresAt) <= now) return 'expired';
  return { name: found.name, role: found.role };
}
