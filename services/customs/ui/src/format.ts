/** Pure helpers of the dashboard (no DOM): unit-tested in format.test.ts. */

export type Badge = 'eligible' | 'ineligible' | 'pending' | 'break-glass';

/** The badge of an environment with no verdict yet is `pending`. */
export function badgeOf(status: string | undefined): Badge {
  if (
    status === 'eligible' ||
    status === 'ineligible' ||
    status === 'break-glass'
  )
    return status;
  return 'pending';
}

/** Where to read an advisory: NVD for CVEs, GitHub for GHSAs, osv.dev otherwise. */
export function advisoryUrl(id: string): string {
  if (/^CVE-\d{4}-\d+$/.test(id))
    return `https://nvd.nist.gov/vuln/detail/${id}`;
  if (/^GHSA-/.test(id)) return `https://github.com/advisories/${id}`;
  return `https://osv.dev/vulnerability/${encodeURIComponent(id)}`;
}

/** `sha256:abcdef…` shortened to 12 hex digits. */
export function shortDigest(digest: string): string {
  const hex = digest.replace(/^sha256:/, '');
  return `${digest.startsWith('sha256:') ? 'sha256:' : ''}${hex.slice(0, 12)}`;
}

/** "3 min ago", "2 h ago", "5 d ago" relative to `now`; '—' for none. */
export function ago(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return '—';
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86_400)} d ago`;
}

/** Rows whose fields contain every word of `query` (case-insensitive). */
export function filterRows<T>(
  rows: readonly T[],
  query: string,
  fields: (row: T) => Array<string | undefined>,
): T[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return [...rows];
  return rows.filter((row) => {
    const text = fields(row).filter(Boolean).join(' ').toLowerCase();
    return words.every((w) => text.includes(w));
  });
}

const SEVERITY_ORDER = ['critical', 'high', 'medium', 'low', 'negligible'];

/** Sort key of a severity: critical first, unknown last. */
export function severityRank(severity: string): number {
  const i = SEVERITY_ORDER.indexOf(severity.toLowerCase());
  return i === -1 ? SEVERITY_ORDER.length : i;
}

/** `repo@sha256:…` as it goes in a hash route, and back. */
export function imageRoute(repository: string, digest: string): string {
  return `#/image/${encodeURIComponent(`${repository}@${digest}`)}`;
}

/** A datetime-local input value (`2026-11-30T12:00`) as an ISO instant. */
export function localInputToIso(value: string): string | undefined {
  const t = Date.parse(value);
  return Number.isNaN(t) ? undefined : new Date(t).toISOString();
}

/** A datetime-local value 30 days after `now`, in the browser's time zone. */
export function defaultExpiryInput(now: Date, days = 30): string {
  const local =
    now.getTime() + days * 86_400_000 - now.getTimezoneOffset() * 60_000;
  return new Date(local).toISOString().slice(0, 16);
}
