/**
 * pnpm-lock.yaml: the `packages` map, whose keys are `/name/1.0.0` (v5),
 * `/name@1.0.0(peer@2)` (v6) or `name@1.0.0` (v9), scoped names included.
 */
import { parse } from 'yaml';
import type { NpmEntry } from './detector.js';

const PEER_PARENS_RE = /\(.*$/;
const PEER_UNDERSCORE_RE = /_.*$/;
const DIGIT_RE = /^\d/;

/** The packages a pnpm-lock.yaml lists. */
export function parsePnpmLock(
  text: string,
  warn: (reason: string) => void,
): NpmEntry[] {
  let lock: unknown;
  try {
    lock = parse(text, { maxAliasCount: 100 });
  } catch {
    warn('pnpm-lock.yaml is not YAML');
    return [];
  }
  const packages = (lock as { packages?: unknown } | null)?.packages;
  if (typeof packages !== 'object' || packages === null) return [];
  const out: NpmEntry[] = [];
  for (const [key, value] of Object.entries(packages)) {
    const entry = fromKey(key);
    if (entry === undefined) continue;
    const dev = (value as { dev?: unknown } | null)?.dev === true;
    out.push({ ...entry, isDev: dev });
  }
  return out;
}

function fromKey(key: string): NpmEntry | undefined {
  const bare = key.replace(/^\//, '').replace(PEER_PARENS_RE, '');
  const slash = bare.lastIndexOf('/');
  const tail = bare.slice(slash + 1);
  if (slash > 0 && DIGIT_RE.test(tail)) {
    // v5: /name/version_peer@2
    return {
      name: bare.slice(0, slash),
      version: tail.replace(PEER_UNDERSCORE_RE, ''),
    };
  }
  // v6 and v9: name@version
  const at = bare.indexOf('@', 1);
  if (at <= 0) return undefined;
  return { name: bare.slice(0, at), version: bare.slice(at + 1) };
}
