import type { VerdictReason } from '../core/verdict.js';

const HOUR_MS = 3_600_000;

/**
 * The violation of `maxScanAgeHours`, if any: the package list findings
 * are matched on is only as good as the scan that produced it, so a scan
 * that ended `maxScanAgeHours` or more before `judgedAt` refuses until the
 * image is scanned again. Without a scan time (an index, judged by its
 * platforms) nothing is checked.
 */
export function judgeScanAge(
  scan: { finishedAt?: string | undefined; judgedAt?: number | undefined },
  maxScanAgeHours: number | undefined,
): VerdictReason[] {
  if (maxScanAgeHours === undefined || scan.finishedAt === undefined) return [];
  const ageMs = (scan.judgedAt ?? Date.now()) - Date.parse(scan.finishedAt);
  // Stale from the limit itself on: the timer fires exactly then.
  if (ageMs < maxScanAgeHours * HOUR_MS) return [];
  return [
    {
      code: 'SCAN_STALE',
      message: `scanned ${scan.finishedAt}, ${Math.floor(ageMs / HOUR_MS)} h ago (at most ${maxScanAgeHours} h): refused until scanned again`,
      details: { scannedAt: scan.finishedAt, maxScanAgeHours },
    },
  ];
}
