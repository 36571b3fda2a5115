/**
 * Log message rules (STYLE.md §5, after zot's check_logs.sh), checked on the
 * source: messages are lower-case, carry no `component:` prefix (facts go in
 * fields), and error-level messages say what went wrong first.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
// logger.info({ … }, 'message') or log.error('message'): the last string argument.
const CALL_RE =
  /\b(?:log|logger|this\.#log|deps\.logger|options\.logger)\.(trace|debug|info|warn|error|fatal)\(([\s\S]*?)\);/g;
const MESSAGE_RE = /['`]([^'`]*)['`]\s*,?\s*$/;
const ERROR_START_RE = /^(failed to|invalid|unexpected|unsupported)\b/;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') && !name.endsWith('.test.ts') ? [path] : [];
  });
}

function messages(): Array<{ where: string; level: string; message: string }> {
  return ['lib', 'services']
    .flatMap((d) => sourceFiles(join(ROOT, d)))
    .flatMap((file) => {
      const text = readFileSync(file, 'utf8');
      return [...text.matchAll(CALL_RE)].flatMap((m) => {
        const message = MESSAGE_RE.exec(m[2] ?? '')?.[1];
        if (message === undefined) return [];
        const line = text.slice(0, m.index).split('\n').length;
        return [
          {
            where: `${relative(ROOT, file)}:${line}`,
            level: m[1] ?? '',
            message,
          },
        ];
      });
    });
}

describe('log messages', () => {
  const all = messages();

  it('are found in the source (the check reads something)', () => {
    expect(all.length).toBeGreaterThan(20);
  });

  it('are lower-case and carry no component prefix', () => {
    const bad = all.filter(
      (m) => /^[A-Z]/.test(m.message) || /^[a-z.]+: /.test(m.message),
    );
    expect(bad).toEqual([]);
  });

  it('at error level start with failed to, invalid, unexpected or unsupported', () => {
    const bad = all.filter(
      (m) =>
        (m.level === 'error' || m.level === 'fatal') &&
        !ERROR_START_RE.test(m.message),
    );
    expect(bad).toEqual([]);
  });
});
