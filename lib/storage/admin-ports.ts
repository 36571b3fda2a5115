import type { Digest } from '../core/digest.js';
import type { BreakGlassGrant, PolicyException } from '../core/overrides.js';

/**
 * Ports of the admin side: API tokens with roles, the audit log,
 * exceptions and break-glass grants. Kept apart from ports.ts so each
 * concern stays small; all are part of Stores.
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

/** A new exception or grant: what the caller gives. */
export type NewException = Omit<
  PolicyException,
  'id' | 'createdAt' | 'revokedAt'
>;
export type NewBreakGlassGrant = Omit<
  BreakGlassGrant,
  'id' | 'createdAt' | 'revokedAt'
>;

/** An image named by repository and digest. */
export interface ImageName {
  repository: string;
  digest: Digest;
}

/** Per-finding exceptions. */
export interface ExceptionStore {
  create(e: NewException): Promise<PolicyException>;
  /** All, or (`inForceAt`) those neither revoked nor expired at that time. */
  list(o?: { inForceAt?: string }): Promise<PolicyException[]>;
  /** Revokes an exception; the revoked row, or undefined when unknown. */
  revoke(id: number): Promise<PolicyException | undefined>;
  /** Stored images with a finding of `advisoryId` (id or alias), every repository. */
  imagesWithAdvisory(advisoryId: string): Promise<ImageName[]>;
  /** Images whose stored verdicts name the exception in a reason. */
  imagesCiting(exceptionId: number): Promise<ImageName[]>;
  /** Exceptions that expired in [since, until) and were not revoked. */
  expiredBetween(since: string, until: string): Promise<PolicyException[]>;
}

/** Break-glass grants. */
export interface BreakGlassStore {
  /** Stores a grant and its `customs.breakglass.granted` event (one transaction). */
  create(g: NewBreakGlassGrant): Promise<BreakGlassGrant>;
  list(o?: { inForceAt?: string }): Promise<BreakGlassGrant[]>;
  /** Revokes a grant and announces it; the row, or undefined when unknown. */
  revoke(id: number): Promise<BreakGlassGrant | undefined>;
  /** Announces an expiry (`customs.breakglass.expired`) once; true the first time. */
  announceExpired(grant: BreakGlassGrant): Promise<boolean>;
  /** Grants that expired in [since, until) and were not revoked. */
  expiredBetween(since: string, until: string): Promise<BreakGlassGrant[]>;
}

/** One version of the trust rules in force. */
export interface RuleVersion {
  /** Increasing number of the version. */
  version: number;
  /** Hash of the rules' content (RuleSet.version), stamped on verdicts. */
  contentHash: string;
  source: 'file' | 'api';
  yaml: string;
  createdBy: string;
  createdAt: string;
}

/** The history of the trust rules. */
export interface RuleVersionStore {
  add(v: Omit<RuleVersion, 'version' | 'createdAt'>): Promise<RuleVersion>;
  latest(): Promise<RuleVersion | undefined>;
  /** Newest first. */
  list(limit: number): Promise<RuleVersion[]>;
}
