import picomatch from 'picomatch';
import type { VerdictReason } from '../core/verdict.js';

/** Repository globs of an environment (`team/*`, `**`); see rules.ts. */
export interface RepositoryRules {
  /** When non-empty, only repositories matching one of these are eligible. */
  allow: string[];
  /** Repositories matching one of these are never eligible (deny wins). */
  deny: string[];
}

const matchers = new Map<string, (name: string) => boolean>();

/**
 * The violation of an environment's repository rules by `repository`, if
 * any: a denied repository, or one outside a non-empty allow list. An
 * image judged without its repository breaks no repository rule.
 */
export function judgeRepository(
  repository: string | undefined,
  rules: RepositoryRules,
): VerdictReason[] {
  if (repository === undefined) return [];
  const denied = rules.deny.find((g) => matcherOf(g)(repository));
  if (denied !== undefined)
    return [
      {
        code: 'REPOSITORY_DENIED',
        message: `repository ${repository} is denied in this environment (${denied})`,
        details: { repository, pattern: denied },
      },
    ];
  if (
    rules.allow.length > 0 &&
    !rules.allow.some((g) => matcherOf(g)(repository))
  )
    return [
      {
        code: 'REPOSITORY_NOT_ALLOWED',
        message: `repository ${repository} is not among those allowed in this environment (${rules.allow.join(', ')})`,
        details: { repository, allow: rules.allow },
      },
    ];
  return [];
}

function matcherOf(glob: string): (name: string) => boolean {
  let m = matchers.get(glob);
  if (!m) {
    m = picomatch(glob);
    matchers.set(glob, m);
  }
  return m;
}
