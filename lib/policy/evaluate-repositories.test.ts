import { describe, expect, it } from 'vitest';
import { judgeRepository } from './evaluate-repositories.js';

describe('judgeRepository', () => {
  it.each([
    ['team/app', { allow: [], deny: [] }, []],
    ['team/app', { allow: ['team/*'], deny: [] }, []],
    ['other/app', { allow: ['team/*'], deny: [] }, ['REPOSITORY_NOT_ALLOWED']],
    [
      'team/legacy',
      { allow: ['team/*'], deny: ['team/legacy'] },
      ['REPOSITORY_DENIED'],
    ],
    ['team/a/b', { allow: ['team/**'], deny: [] }, []],
    ['team/a/b', { allow: ['team/*'], deny: [] }, ['REPOSITORY_NOT_ALLOWED']],
  ])('%s under %j', (repository, rules, codes) => {
    expect(judgeRepository(repository, rules).map((r) => r.code)).toEqual(
      codes,
    );
  });

  it('breaks no rule when the repository is not known', () => {
    expect(judgeRepository(undefined, { allow: ['x'], deny: ['**'] })).toEqual(
      [],
    );
  });
});
