import type { JudgedFinding } from '../core/finding.js';
import { severityRank } from '../core/severity.js';
import type { VerdictReason } from '../core/verdict.js';
import {
  displayId,
  isCounted,
  judgedSeverity,
  quoteIds,
} from './judged-finding.js';
import type { EnvironmentRules } from './rules.js';

const DAY_MS = 86_400_000;

/**
 * The violation of `maxFixableDays`, if any: counted findings (the caller
 * has dropped those an exception waives) judged at least `minSeverity`
 * whose fix has been available for `days` or longer at `judgedAt`. A
 * finding with a fix but no recorded time yet (being stored) counts as
 * fixable from `judgedAt`.
 */
export function judgeFixAge(
  findings: readonly JudgedFinding[],
  rules: EnvironmentRules,
  judgedAt: number = Date.now(),
): VerdictReason[] {
  const limit = rules.vulnerabilities.maxFixableDays;
  if (limit === undefined) return [];
  const overdue = overdueSince(findings, rules, judgedAt);
  if (overdue.size === 0) return [];
  const advisories = [...overdue]
    .map(([id, since]) => ({
      id,
      fixAvailableSince: since,
      days: Math.floor((judgedAt - Date.parse(since)) / DAY_MS),
    }))
    .sort((a, b) => b.days - a.days || a.id.localeCompare(b.id));
  const n = advisories.length;
  const atLeast =
    limit.minSeverity === 'negligible'
      ? ''
      : ` of ${limit.minSeverity} or above`;
  return [
    {
      code: 'FIX_AVAILABLE_TOO_LONG',
      message:
        `${n} vulnerabilit${n === 1 ? 'y' : 'ies'}${atLeast} with a fix available ` +
        `for ${limit.days} days or more: ` +
        quoteIds(advisories.map((a) => `${a.id} (fix available ${a.days} d)`)),
      details: {
        maxFixableDays: limit.days,
        minSeverity: limit.minSeverity,
        advisories,
      },
    },
  ];
}

/** Each overdue finding's display id, with the earliest time its fix was seen. */
function overdueSince(
  findings: readonly JudgedFinding[],
  rules: EnvironmentRules,
  judgedAt: number,
): Map<string, string> {
  const limit = rules.vulnerabilities.maxFixableDays!;
  const min = severityRank(limit.minSeverity);
  const overdue = new Map<string, string>();
  for (const f of findings) {
    const since = f.fixAvailableSince;
    if (f.fixedVersion === undefined || since === undefined) continue;
    if (!isCounted(f, rules.vulnerabilities)) continue;
    if (severityRank(judgedSeverity(f, rules)) < min) continue;
    // Overdue from the limit itself on: the timer fires exactly then.
    if (judgedAt - Date.parse(since) < limit.days * DAY_MS) continue;
    const id = displayId(f);
    const seen = overdue.get(id);
    if (seen === undefined || since < seen) overdue.set(id, since);
  }
  return overdue;
}
