const DURATION_RE = /^(\d+)([mhd])$/;
const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/**
 * Reads an expiry given as a duration from `now` (`30d`, `12h`, `90m`) or
 * an ISO time. Empty or undefined = no expiry. Returns the ISO time, or a
 * problem (unreadable, or not in the future) for the caller to report.
 */
export function parseExpiry(
  expires: string | undefined,
  now: number,
): { expiresAt: string | undefined } | { problem: string } {
  if (expires === undefined || expires === '') return { expiresAt: undefined };
  const duration = DURATION_RE.exec(expires);
  const at = duration
    ? now + Number(duration[1]) * UNIT_MS[duration[2] as keyof typeof UNIT_MS]
    : Date.parse(expires);
  if (Number.isNaN(at))
    return {
      problem: `invalid expiry "${expires}" (30d, 12h, 90m or an ISO time)`,
    };
  if (at <= now)
    return { problem: `expiry ${new Date(at).toISOString()} is in the past` };
  return { expiresAt: new Date(at).toISOString() };
}
