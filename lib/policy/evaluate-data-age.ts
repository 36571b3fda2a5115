import type { VerdictReason } from '../core/verdict.js';

const HOUR_MS = 3_600_000;

/**
 * The violation of `maxDataAgeHours`, if any: findings are only as good as
 * the vulnerability data they were matched against, so data older than
 * the limit (or none at all) fails closed. Judging without the data's time
 * (`importedAt` undefined) checks nothing.
 */
export function judgeDataAge(
  data: {
    importedAt?: string | null | undefined;
    judgedAt?: number | undefined;
  },
  maxDataAgeHours: number | undefined,
): VerdictReason[] {
  if (maxDataAgeHours === undefined || data.importedAt === undefined) return [];
  if (data.importedAt === null)
    return [
      {
        code: 'DATA_STALE',
        message: 'no vulnerability data has been imported',
        details: { maxDataAgeHours },
      },
    ];
  const ageMs = (data.judgedAt ?? Date.now()) - Date.parse(data.importedAt);
  // Stale from the limit itself on: the timer fires exactly then.
  if (ageMs < maxDataAgeHours * HOUR_MS) return [];
  const ageHours = ageMs / HOUR_MS;
  return [
    {
      code: 'DATA_STALE',
      message: `vulnerability data imported ${data.importedAt} is ${Math.floor(ageHours)} h old (at most ${maxDataAgeHours} h)`,
      details: { importedAt: data.importedAt, maxDataAgeHours },
    },
  ];
}

/** The `maxDataAgeHours` of every environment that sets one. */
export function dataAgeLimits(rules: {
  environments: Record<
    string,
    { vulnerabilities: { maxDataAgeHours?: number | undefined } }
  >;
}): number[] {
  return Object.values(rules.environments).flatMap((e) =>
    e.vulnerabilities.maxDataAgeHours === undefined
      ? []
      : [e.vulnerabilities.maxDataAgeHours],
  );
}
