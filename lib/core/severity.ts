/**
 * Severity levels, weakest first. `unknown` is its own level: it is never
 * read as "low" (an advisory without a score is not harmless).
 */
export const SEVERITIES = [
  'negligible',
  'low',
  'medium',
  'high',
  'critical',
] as const;
export type KnownSeverity = (typeof SEVERITIES)[number];
export type Severity = KnownSeverity | 'unknown';

/** Rank of a known severity (negligible = 0 … critical = 4). */
export function severityRank(severity: KnownSeverity): number {
  return SEVERITIES.indexOf(severity);
}

const DEBIAN_URGENCY: Record<string, KnownSeverity> = {
  unimportant: 'negligible',
  'end-of-life': 'negligible',
  low: 'low',
  medium: 'medium',
  high: 'high',
};

/**
 * Severity from a Debian tracker urgency (`unimportant`, `low`, `medium`,
 * `high`; `**` suffixes mark unconfirmed values and are ignored).
 */
export function severityFromDebianUrgency(
  urgency: string | undefined,
): Severity {
  if (urgency === undefined) return 'unknown';
  const key = urgency.replace(/\*+$/, '');
  // hasOwn: `constructor` and friends must not resolve through the prototype.
  return Object.hasOwn(DEBIAN_URGENCY, key)
    ? (DEBIAN_URGENCY[key] ?? 'unknown')
    : 'unknown';
}

/** Severity band of a CVSS base score (CVSS v3.1 §5 qualitative scale). */
export function severityFromCvssScore(score: number): KnownSeverity {
  if (score === 0) return 'negligible';
  if (score < 4) return 'low';
  if (score < 7) return 'medium';
  if (score < 9) return 'high';
  return 'critical';
}
