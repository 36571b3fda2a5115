import type { BreakGlassGrant, PolicyException } from '../core/overrides.js';
import type {
  AuditLog,
  BreakGlassStore,
  ExceptionStore,
  ImageName,
  NewException,
} from '../storage/admin-ports.js';
import type { ManifestStore } from '../storage/ports.js';
import type { JudgeDeps } from './judge.js';
import { NO_OVERRIDES } from './override-source.js';
import { inScope } from './overrides.js';
import {
  previewVerdicts,
  rejudgeImages,
  type PreviewChange,
} from './rejudge.js';

/** What an operator gives for an exception. */
export interface ExceptionRequest {
  advisoryId: string;
  package?: string | undefined;
  scope: PolicyException['scope'];
  owner: string;
  justification: string;
  expiresAt: string;
}

/** What an operator gives for a break-glass grant. */
export type BreakGlassRequest = Pick<
  BreakGlassGrant,
  'repository' | 'digest' | 'environment' | 'ticket' | 'reason' | 'expiresAt'
>;

/** A request the current state refuses (unknown environment, past expiry). */
export class OverrideInvalid extends Error {}

export interface OverrideAdminDeps {
  stores: {
    exceptions: ExceptionStore;
    breakGlass: BreakGlassStore;
    audit: Pick<AuditLog, 'append'>;
    manifests: Pick<ManifestStore, 'parentsOf'>;
  };
  judge: JudgeDeps;
  environments: () => ReadonlySet<string>;
  now: () => number;
  /** Told after a new exception or grant, so its expiry is timed. */
  expiry?: { reschedule(): Promise<void> } | undefined;
}

/**
 * Stores an exception, audits it, and judges again the images it concerns
 * (those with a finding of the advisory, in scope) so verdicts change now.
 */
export async function createException(
  deps: OverrideAdminDeps,
  request: ExceptionRequest,
  actor: string,
): Promise<PolicyException> {
  const stored = await deps.stores.exceptions.create(
    checkedException(deps, request, actor),
  );
  await audit(
    deps,
    actor,
    'exception.create',
    `exception/${stored.id}`,
    null,
    stored,
  );
  await rejudgeImages(
    deps.judge,
    await imagesInScope(deps, stored),
    `exception ${stored.id} created`,
  );
  await deps.expiry?.reschedule();
  return stored;
}

/** What an exception would change, without storing it. */
export async function previewException(
  deps: OverrideAdminDeps,
  request: ExceptionRequest,
): Promise<PreviewChange[]> {
  const candidate: PolicyException = {
    ...checkedException(deps, request, 'preview'),
    id: 0,
    createdAt: new Date(deps.now()).toISOString(),
    revokedAt: null,
  };
  const current = (await deps.judge.overrides?.load()) ?? NO_OVERRIDES;
  return previewVerdicts(deps.judge, await imagesInScope(deps, candidate), {
    rules: deps.judge.rules(),
    overrides: {
      ...current,
      exceptions: [...current.exceptions, candidate],
    },
    now: deps.now(),
  });
}

/** Revokes an exception, audits it, re-judges what it waived; false when unknown. */
export async function revokeException(
  deps: OverrideAdminDeps,
  id: number,
  actor: string,
): Promise<boolean> {
  const revoked = await deps.stores.exceptions.revoke(id);
  if (!revoked) return false;
  await audit(
    deps,
    actor,
    'exception.revoke',
    `exception/${id}`,
    revoked,
    null,
  );
  await rejudgeImages(
    deps.judge,
    await deps.stores.exceptions.imagesCiting(id),
    `exception ${id} revoked`,
  );
  return true;
}

/**
 * Grants break-glass for one digest in one environment: stored with its
 * outbound event, audited, and the image judged again now.
 */
export async function grantBreakGlass(
  deps: OverrideAdminDeps,
  request: BreakGlassRequest,
  actor: string,
): Promise<BreakGlassGrant> {
  checkEnvironments(deps, [request.environment]);
  checkFuture(deps, request.expiresAt);
  const grant = await deps.stores.breakGlass.create({
    ...request,
    createdBy: actor,
  });
  await audit(
    deps,
    actor,
    'break-glass.grant',
    `break-glass/${grant.id}`,
    null,
    grant,
  );
  await rejudgeImages(
    deps.judge,
    [request],
    `break-glass grant ${grant.id} (ticket ${grant.ticket})`,
  );
  await deps.expiry?.reschedule();
  return grant;
}

/** Revokes a grant (announced, audited) and re-judges its image; false when unknown. */
export async function revokeBreakGlass(
  deps: OverrideAdminDeps,
  id: number,
  actor: string,
): Promise<boolean> {
  const revoked = await deps.stores.breakGlass.revoke(id);
  if (!revoked) return false;
  await audit(
    deps,
    actor,
    'break-glass.revoke',
    `break-glass/${id}`,
    revoked,
    null,
  );
  await rejudgeImages(deps.judge, [revoked], `break-glass grant ${id} revoked`);
  return true;
}

function checkedException(
  deps: OverrideAdminDeps,
  request: ExceptionRequest,
  actor: string,
): NewException {
  if (request.scope.environments)
    checkEnvironments(deps, request.scope.environments);
  checkFuture(deps, request.expiresAt);
  return {
    advisoryId: request.advisoryId,
    package: request.package ?? null,
    scope: request.scope,
    owner: request.owner,
    justification: request.justification,
    expiresAt: new Date(request.expiresAt).toISOString(),
    createdBy: actor,
  };
}

async function imagesInScope(
  deps: OverrideAdminDeps,
  e: PolicyException,
): Promise<ImageName[]> {
  const images = await deps.stores.exceptions.imagesWithAdvisory(e.advisoryId);
  const inScopeSomewhere = async (image: ImageName) => {
    // A digest scope may name an index listing the image.
    const parents =
      e.scope.digest === undefined || e.scope.digest === image.digest
        ? []
        : await deps.stores.manifests.parentsOf(image.repository, image.digest);
    return [...deps.environments()].some((env) =>
      inScope(e, { ...image, parents }, env),
    );
  };
  const covered = await Promise.all(images.map(inScopeSomewhere));
  return images.filter((_, i) => covered[i]);
}

function checkEnvironments(deps: OverrideAdminDeps, names: string[]): void {
  const known = deps.environments();
  const unknown = names.filter((n) => !known.has(n));
  if (unknown.length > 0)
    throw new OverrideInvalid(
      `unknown environment(s) ${unknown.join(', ')} (known: ${[...known].join(', ')})`,
    );
}

function checkFuture(deps: OverrideAdminDeps, expiresAt: string): void {
  if (Date.parse(expiresAt) <= deps.now())
    throw new OverrideInvalid(`expiresAt ${expiresAt} is not in the future`);
}

async function audit(
  deps: OverrideAdminDeps,
  actor: string,
  action: string,
  target: string,
  before: unknown,
  after: unknown,
): Promise<void> {
  await deps.stores.audit.append([{ actor, action, target, before, after }]);
}
