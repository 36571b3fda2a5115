/**
 * Ports of the admin side: API tokens with roles and the audit log. Kept
 * apart from ports.ts so each concern stays small; both are part of Stores.
 */

/** Roles of admin tokens, least to most powerful. */
export const ADMIN_ROLES = ['viewer', 'operator', 'admin'] as const;
export type AdminRole = (typeof ADMIN_ROLES)[number];

export interface AdminToken {
  name: string;
  role: AdminRole;
  /** sha256 (hex) of the token; the token itself is never stored. */
  tokenHash: string;
  createdBy: string;
  createdAt: string;
  expiresAt: string | undefined;
  revokedAt: string | undefined;
}

export interface AdminTokenStore {
  /** Creates a token; false when the name is taken. */
  create(token: Omit<AdminToken, 'createdAt' | 'revokedAt'>): Promise<boolean>;
  /** The token whose hash this is, revoked or expired ones included. */
  findByHash(tokenHash: string): Promise<AdminToken | undefined>;
  list(): Promise<AdminToken[]>;
  /** Revokes a token (idempotent); false when the name is unknown. */
  revoke(name: string): Promise<boolean>;
}

/** One line of the audit log. */
export interface AuditEntry {
  id: number;
  at: string;
  /** Token name of the caller, or `customs` for the server's own changes. */
  actor: string;
  /** `exception.create`, `verdict.change`, … */
  action: string;
  /** What the action is about (`exception/12`, `repo@sha256:…/prod`). */
  target: string;
  before: unknown;
  after: unknown;
}

export interface AuditQuery {
  actor?: string | undefined;
  action?: string | undefined;
  /** Inclusive lower bound (ISO time). */
  since?: string | undefined;
  /** Exclusive upper bound (ISO time). */
  until?: string | undefined;
  limit: number;
  /** Entries older than this id (the `next` of the previous page). */
  before?: number | undefined;
}

export interface AuditLog {
  /** Appends entries (one statement); the ids and times are the database's. */
  append(entries: Array<Omit<AuditEntry, 'id' | 'at'>>): Promise<void>;
  /** Newest first; `next` is the cursor of the following page, if any. */
  query(q: AuditQuery): Promise<{ entries: AuditEntry[]; next?: number }>;
}
