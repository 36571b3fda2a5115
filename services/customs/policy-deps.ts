import type { Logger } from 'pino';
import type { Config } from '../../lib/config/schema.js';
import { ExpiryTimer } from '../../lib/policy/expiry-timer.js';
import type { JudgeDeps } from '../../lib/policy/judge.js';
import type { OverrideAdminDeps } from '../../lib/policy/override-admin.js';
import { storeOverrideSource } from '../../lib/policy/override-source.js';
import { rejudgeImages } from '../../lib/policy/rejudge.js';
import type { RuleSet } from '../../lib/policy/rules.js';
import type { Stores } from '../../lib/storage/ports.js';

/** How far back the first expiry check of a process looks. */
const EXPIRY_LOOKBACK_MS = 24 * 3_600_000;

/** Judging, exception and break-glass administration, and their expiry timer. */
export interface PolicyDeps {
  judge: JudgeDeps;
  overrides: OverrideAdminDeps;
  /** Running only in processes that work (`serve`), not in CLI-only ones. */
  expiry: ExpiryTimer | undefined;
}

/** Wires judging with exceptions, grants and the audit log (explicit, STYLE.md §6). */
export function buildPolicyDeps(options: {
  config: Readonly<Config>;
  stores: Stores;
  rules: () => RuleSet;
  environments: () => ReadonlySet<string>;
  logger: Logger;
  withExpiryTimer: boolean;
  now?: () => number;
}): PolicyDeps {
  const { stores, logger } = options;
  const now = options.now ?? Date.now;
  const judge: JudgeDeps = {
    stores,
    rules: options.rules,
    logger: logger.child({ component: 'policy' }),
    overrides: storeOverrideSource(stores, now),
    audit: stores.audit,
  };
  const expiry = options.withExpiryTimer
    ? new ExpiryTimer({
        stores,
        rejudge: async (images, cause) =>
          void (await rejudgeImages(judge, images, cause)),
        now,
        sweepIntervalMs: options.config.policy.expirySweepIntervalMs,
        lookbackMs: EXPIRY_LOOKBACK_MS,
        logger: logger.child({ component: 'policy.expiry' }),
      })
    : undefined;
  return {
    judge,
    expiry,
    overrides: {
      stores,
      judge,
      environments: options.environments,
      now,
      expiry,
    },
  };
}
