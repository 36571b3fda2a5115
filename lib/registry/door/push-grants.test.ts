import { describe, expect, it } from 'vitest';
import { isPushPattern, mayPush } from './push-grants.js';

describe('isPushPattern', () => {
  it.each([
    ['*', true],
    ['team/app', true],
    ['team/*', true],
    ['app', true],
    ['Team/app', false],
    ['team/', false],
    ['team*', false],
    ['/*', false],
    ['', false],
  ])('%s → %s', (pattern, valid) => {
    expect(isPushPattern(pattern)).toBe(valid);
  });
});

describe('mayPush', () => {
  it.each([
    [['*'], 'any/repo', true],
    [['team/app'], 'team/app', true],
    [['team/app'], 'team/app/sub', false],
    [['team/app'], 'team/apps', false],
    [['team/*'], 'team/app', true],
    [['team/*'], 'team/a/b', true],
    [['team/*'], 'team', false],
    [['team/*'], 'teams/app', false],
    [[], 'team/app', false],
    [['ops/app', 'team/*'], 'team/x', true],
  ])('%j may push to %s: %s', (patterns, repository, allowed) => {
    expect(mayPush(patterns, repository)).toBe(allowed);
  });
});
