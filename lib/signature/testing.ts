import { parseRules } from '../policy/rules.js';
import { buildTrust, type TrustContext } from './trust.js';

/**
 * A trust context from a rules document, files read through `files` (path
 * → content): for tests, which state their trust the way users do.
 */
export function trustFromRules(
  text: string,
  files: Record<string, string | Buffer>,
  claimOptions = 'repository',
): TrustContext {
  const rules = parseRules(text, (path) => {
    const data = files[path];
    if (data === undefined) throw new Error(`ENOENT ${path}`);
    return data;
  });
  return buildTrust(rules, claimOptions);
}
