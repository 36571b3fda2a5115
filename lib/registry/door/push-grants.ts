import { isRepositoryName } from '../../core/reference.js';

/**
 * What a credential may push to: repository names (`team/app`), prefixes
 * (`team/*`: every repository below `team/`) or `*` (every repository).
 */
export type PushPattern = string;

const PREFIX_SUFFIX = '/*';

/** True when `pattern` is a name, a `name/*` prefix or `*`. */
export function isPushPattern(pattern: string): boolean {
  if (pattern === '*') return true;
  const name = pattern.endsWith(PREFIX_SUFFIX)
    ? pattern.slice(0, -PREFIX_SUFFIX.length)
    : pattern;
  return isRepositoryName(name);
}

/**
 * True when one of `patterns` lets its holder push to `repository` (the
 * upstream name, without any environment prefix). A prefix `team/*` covers
 * `team/app` and `team/a/b`, not `team` itself nor `teams/app`.
 */
export function mayPush(
  patterns: readonly PushPattern[],
  repository: string,
): boolean {
  return patterns.some((p) =>
    p === '*'
      ? true
      : p.endsWith(PREFIX_SUFFIX)
        ? repository.startsWith(p.slice(0, -1))
        : p === repository,
  );
}
