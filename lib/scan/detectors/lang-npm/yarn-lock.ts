/**
 * yarn.lock, classic (v1: `"a@^1.0.0", a@~1.0.1:` then `  version "1.0.3"`)
 * and berry (v2+: YAML, `"a@npm:^1.0.0":` then `  version: 1.0.3`). Read
 * line by line: a block starts at a line without indentation ending in `:`.
 */
import type { NpmEntry } from './detector.js';

const LINE_RE = /\r?\n/;
const VERSION_RE = /^\s+version:?\s+"?([^"\s]+)"?\s*$/;
// A range with a protocol other than `npm:` names no registry release (git,
// tarball URLs, file:, workspace:, and berry's patch: copies of listed ones).
const PROTOCOL_RE = /^[a-z+]+:/;

/** The packages a yarn.lock lists (each block once). */
export function parseYarnLock(
  text: string,
  warn: (reason: string) => void,
): NpmEntry[] {
  const out: NpmEntry[] = [];
  let name: string | undefined;
  let blocks = 0;
  for (const line of text.split(LINE_RE)) {
    if (line === '' || line.startsWith('#')) continue;
    if (!/^\s/.test(line)) {
      blocks++;
      name = blockName(line);
      continue;
    }
    const version = VERSION_RE.exec(line)?.[1];
    if (name !== undefined && version !== undefined) {
      out.push({ name, version });
      name = undefined;
    }
  }
  if (blocks === 0 && text.trim() !== '') warn('yarn.lock has no entries');
  return out;
}

/** `"@s/a@^1", "@s/a@^1.2":` → `@s/a`; undefined for metadata and local sources. */
function blockName(header: string): string | undefined {
  if (!header.endsWith(':') || header.startsWith('__metadata'))
    return undefined;
  const first = header.slice(0, -1).split(',')[0]?.trim().replace(/^"|"$/g, '');
  const at = first?.indexOf('@', 1) ?? -1;
  if (first === undefined || at <= 0) return undefined;
  const range = first.slice(at + 1);
  if (PROTOCOL_RE.test(range) && !range.startsWith('npm:')) return undefined;
  return first.slice(0, at);
}
