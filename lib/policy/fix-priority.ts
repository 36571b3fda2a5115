/**
 * Fix priority of a finding: what to fix first, from its severity, whether
 * a fix exists, whether it is known to be exploited (CISA KEV), how likely
 * exploitation is (EPSS) and where it comes from (base image or
 * application). Pure. P1 is "now", P4 "when convenient".
 */
import type { ExploitSignal } from '../core/exploit-signal.js';
import type { Severity } from '../core/severity.js';

/** What the priority is computed from. */
export interface PriorityInput {
  severity: Severity;
  hasFix: boolean;
  exploit?: ExploitSignal | undefined;
  origin?: 'base' | 'app' | undefined;
  /** The base has a newer revision: a rebuild fixes base findings now. */
  hasNewerBase?: boolean | undefined;
}

/** A finding's priority, its score (0–100) and the facts behind it. */
export interface FixPriority {
  level: 'P1' | 'P2' | 'P3' | 'P4';
  score: number;
  because: string[];
}

const SEVERITY_POINTS: Record<Severity, number> = {
  critical: 40,
  high: 30,
  medium: 20,
  unknown: 20,
  low: 10,
  negligible: 0,
};
const KEV_POINTS = 35;
const EPSS_POINTS = 25;
const FIX_POINTS = 10;
const LEVELS: ReadonlyArray<[number, FixPriority['level']]> = [
  [70, 'P1'],
  [50, 'P2'],
  [30, 'P3'],
];

/** The priority of one finding (see the module comment). */
export function fixPriority(input: PriorityInput): FixPriority {
  const because = [`${input.severity} severity`];
  let score = SEVERITY_POINTS[input.severity];
  if (input.exploit?.kevDateAdded !== undefined) {
    score += KEV_POINTS;
    because.push(
      `known exploited (CISA KEV since ${input.exploit.kevDateAdded}${input.exploit.kevRansomware ? ', used by ransomware' : ''})`,
    );
  }
  if (input.exploit?.epss !== undefined) {
    score += Math.round(input.exploit.epss * EPSS_POINTS);
    because.push(`EPSS ${(input.exploit.epss * 100).toFixed(1)}%`);
  }
  if (input.hasFix) {
    // A fix that exists is work that pays off today.
    score += FIX_POINTS;
    because.push('fix available');
  } else because.push('no fix yet');
  if (input.origin === 'base')
    because.push(
      input.hasNewerBase
        ? 'from the base image: rebuild on its newer revision'
        : 'from the base image: fixed by rebuilding on a newer base',
    );
  if (input.origin === 'app') because.push('from the application layers');
  const clamped = Math.min(100, score);
  // Known exploited and fixable: fix it now, whatever the score says.
  const isUrgent = input.exploit?.kevDateAdded !== undefined && input.hasFix;
  const level = isUrgent
    ? 'P1'
    : (LEVELS.find(([min]) => clamped >= min)?.[1] ?? 'P4');
  return { level, score: clamped, because };
}

/** The CVE ids of a finding (its id and aliases), for exploit lookups. */
export function cveIdsOf(finding: {
  advisoryId: string;
  aliases: readonly string[];
}): string[] {
  return [finding.advisoryId, ...finding.aliases].filter((id) =>
    id.startsWith('CVE-'),
  );
}

/** The strongest signal among a finding's CVEs (KEV first, then EPSS). */
export function strongestSignal(
  cves: readonly string[],
  signals: ReadonlyMap<string, ExploitSignal>,
): ExploitSignal | undefined {
  const mine = cves.flatMap((c) => signals.get(c) ?? []);
  return mine.sort(
    (a, b) =>
      Number(b.kevDateAdded !== undefined) -
        Number(a.kevDateAdded !== undefined) || (b.epss ?? 0) - (a.epss ?? 0),
  )[0];
}
