import type { Logger } from 'pino';
import type { AuditLog } from '../storage/admin-ports.js';
import type { VerdictChange } from '../storage/ports.js';

/** The actor the audit log names for verdicts Customs computes itself. */
export const SYSTEM_ACTOR = 'customs';

/**
 * Logs each verdict change and, when an audit log is given, records it
 * there (`verdict.change`: before and after status, and the cause).
 */
export async function reportVerdictChanges(
  deps: { logger: Logger; audit?: Pick<AuditLog, 'append'> | undefined },
  changes: VerdictChange[],
  cause: string,
): Promise<void> {
  for (const c of changes) {
    deps.logger.info(
      {
        repository: c.repository,
        digest: c.digest,
        environment: c.environment,
        verdict: c.newStatus,
        previous: c.oldStatus,
        cause,
      },
      'verdict changed',
    );
  }
  await deps.audit?.append(
    changes.map((c) => ({
      actor: SYSTEM_ACTOR,
      action: 'verdict.change',
      target: `${c.repository}@${c.digest}/${c.environment}`,
      before: { status: c.oldStatus },
      after: { status: c.newStatus, cause },
    })),
  );
}
