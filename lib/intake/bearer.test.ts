import { describe, expect, it } from 'vitest';
import { isBearerAuthorized } from './bearer.js';

describe('isBearerAuthorized', () => {
  it.each([
    ['Bearer s3cret', 's3cret', true],
    ['bearer   s3cret', 's3cret', true],
    ['Bearer s3cret2', 's3cret', false],
    ['Bearer ', 's3cret', false],
    ['s3cret', 's3cret', false],
    ['Basic czNjcmV0', 's3cret', false],
    [undefined, 's3cret', false],
    ['Bearer ', '', false],
    ['Bearer anything', '', false],
  ])('%s against %s → %s', (header, secret, expected) => {
    expect(isBearerAuthorized(header, secret)).toBe(expected);
  });
});
