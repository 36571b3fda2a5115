/**
 * Retry policy of upstream calls (STYLE.md §4): only network errors, 408,
 * 429 and 5xx are retried, with jittered exponential backoff that honours
 * `Retry-After`.
 */

/** First backoff step; doubled per attempt. */
export const BACKOFF_BASE_MS = 100;
/** Largest computed backoff step. */
export const BACKOFF_MAX_MS = 2_000;
/**
 * Longest `Retry-After` we sleep for. A longer one is not waited out (a pull
 * is waiting on us); the error carries `retryAfterMs` so the door can pass it on.
 */
export const MAX_RETRY_AFTER_MS = 10_000;

/** True for statuses worth another attempt: 408, 429 and any 5xx. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status <= 599);
}

/**
 * Milliseconds a `Retry-After` value asks for (RFC 9110 §10.2.3: delay-seconds
 * or an HTTP-date); undefined when absent or unparsable.
 */
export function parseRetryAfterMs(
  value: string | readonly string[] | undefined,
  nowMs: number = Date.now(),
): number | undefined {
  const raw = (typeof value === 'string' ? value : value?.[0])?.trim();
  if (raw === undefined || raw === '') return undefined;
  if (/^\d+$/.test(raw)) return Number(raw) * 1000;
  // HTTP-dates start with a day name; Date.parse would take "-1" as a year.
  if (!/^[A-Za-z]/.test(raw)) return undefined;
  const at = Date.parse(raw);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/**
 * Delay before retry number `attempt + 1` (attempt counts from 0), or
 * undefined when the upstream asked for a longer pause than we wait.
 * "Equal jitter": half the step is fixed, half random, so retries of many
 * concurrent pulls spread out but never retry immediately.
 */
export function retryDelayMs(
  attempt: number,
  retryAfterMs: number | undefined,
  random: () => number = Math.random,
): number | undefined {
  if (retryAfterMs !== undefined) {
    return retryAfterMs > MAX_RETRY_AFTER_MS ? undefined : retryAfterMs;
  }
  const step = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** attempt);
  return Math.round(step / 2 + (random() * step) / 2);
}
