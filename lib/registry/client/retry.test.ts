import { describe, expect, it } from 'vitest';
import {
  BACKOFF_MAX_MS,
  isRetryableStatus,
  MAX_RETRY_AFTER_MS,
  parseRetryAfterMs,
  retryDelayMs,
} from './retry.js';

describe('isRetryableStatus', () => {
  it.each([
    [408, true],
    [429, true],
    [500, true],
    [503, true],
    [599, true],
    [200, false],
    [307, false],
    [400, false],
    [401, false],
    [403, false],
    [404, false],
    [600, false],
  ])('%i -> %s', (status, expected) => {
    expect(isRetryableStatus(status)).toBe(expected);
  });
});

describe('parseRetryAfterMs', () => {
  const now = Date.parse('2024-01-01T00:00:00Z');
  it.each([
    ['120', 120_000],
    [' 0 ', 0],
    ['Mon, 01 Jan 2024 00:00:05 GMT', 5_000],
    ['Sun, 31 Dec 2023 23:59:00 GMT', 0],
    ['soon', undefined],
    ['-1', undefined],
    ['', undefined],
  ])('%j -> %s', (value, expected) => {
    expect(parseRetryAfterMs(value, now)).toBe(expected);
  });

  it('reads the first of repeated values and accepts absence', () => {
    expect(parseRetryAfterMs(['2', '9'], now)).toBe(2_000);
    expect(parseRetryAfterMs(undefined, now)).toBeUndefined();
  });
});

describe('retryDelayMs', () => {
  it('doubles the step per attempt with half of it jittered', () => {
    expect([0, 1, 2].map((a) => retryDelayMs(a, undefined, () => 0))).toEqual([
      50, 100, 200,
    ]);
    expect([0, 1, 2].map((a) => retryDelayMs(a, undefined, () => 1))).toEqual([
      100, 200, 400,
    ]);
  });

  it('caps the step', () => {
    expect(retryDelayMs(20, undefined, () => 1)).toBe(BACKOFF_MAX_MS);
  });

  it('honours Retry-After up to the maximum, and refuses longer waits', () => {
    expect(retryDelayMs(0, 3_000)).toBe(3_000);
    expect(retryDelayMs(0, MAX_RETRY_AFTER_MS)).toBe(MAX_RETRY_AFTER_MS);
    expect(retryDelayMs(0, MAX_RETRY_AFTER_MS + 1)).toBeUndefined();
  });
});
