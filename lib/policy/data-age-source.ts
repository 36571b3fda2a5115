import type { VulnStore } from '../storage/ports.js';
import { dataAgeLimits } from './evaluate-data-age.js';
import type { DeadlineSource } from './expiry-timer.js';
import type { RuleSet } from './rules.js';

/**
 * When the vulnerability data was last imported (null: never), read only
 * when some environment limits its age; undefined otherwise (no check).
 */
export async function dataImportedAt(
  vulns: Pick<VulnStore, 'summary'>,
  rules: RuleSet,
): Promise<string | null | undefined> {
  if (dataAgeLimits(rules).length === 0) return undefined;
  return (await vulns.summary()).lastImportAt;
}

/**
 * The first time at or after `after` when the vulnerability data grows
 * older than an environment's `maxDataAgeHours`, if any (the expiry timer
 * re-judges everything then).
 */
export async function nextDataDeadline(
  vulns: Pick<VulnStore, 'summary'>,
  rules: RuleSet,
  after: number,
): Promise<number | undefined> {
  const limits = dataAgeLimits(rules);
  if (limits.length === 0) return undefined;
  const importedAt = (await vulns.summary()).lastImportAt;
  if (importedAt === null) return undefined;
  const due = limits
    .map((h) => Date.parse(importedAt) + h * 3_600_000)
    .filter((t) => t >= after);
  return due.length === 0 ? undefined : Math.min(...due);
}

/**
 * The expiry timer's deadline of `maxDataAgeHours`: the data ages for
 * every image at once, so reaching it judges everything again.
 */
export function dataAgeDeadline(deps: {
  vulns: Pick<VulnStore, 'summary'>;
  rules: () => RuleSet;
  rejudgeAll(cause: string): Promise<void>;
}): DeadlineSource {
  return {
    next: (after) => nextDataDeadline(deps.vulns, deps.rules(), after),
    reached: () =>
      deps.rejudgeAll('vulnerability data age: a limit was reached'),
  };
}
