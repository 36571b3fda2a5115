/**
 * Parser of the os-release format
 * (https://www.freedesktop.org/software/systemd/man/latest/os-release.html,
 * "Syntax"): newline-separated `KEY=value` assignments, a subset of shell.
 * Values may be double-quoted (where `\"`, `\\`, `\$` and `` \` `` are
 * escapes), single-quoted (literal) or bare (where `\x` is `x`); adjacent
 * pieces concatenate as in shell. Lines starting with `#` and blank lines are
 * ignored.
 */

/** Result of {@link parseOsRelease}: the assignments, and lines it skipped. */
export interface OsReleaseFields {
  fields: Map<string, string>;
  /** 1-based numbers of lines that are not valid assignments. */
  invalidLines: number[];
}

const KEY_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;
const LINE_SPLIT_RE = /\r?\n/;
const BOM_RE = /^\uFEFF/;
// Inside double quotes only these are escapes; any other backslash is literal (POSIX sh).
const DQ_ESCAPABLE = new Set(['"', '\\', '$', '`']);

/**
 * Parses os-release text. Invalid lines (no `=`, a bad key, an unterminated
 * quote) are skipped and reported, never thrown: a sloppy os-release must not
 * fail a scan. A later assignment of a key wins, as when the file is sourced.
 */
export function parseOsRelease(text: string): OsReleaseFields {
  const fields = new Map<string, string>();
  const invalidLines: number[] = [];
  const lines = text.replace(BOM_RE, '').split(LINE_SPLIT_RE);
  lines.forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const eq = line.indexOf('=');
    const key = eq > 0 ? line.slice(0, eq) : '';
    const value = KEY_RE.test(key) ? parseValue(line.slice(eq + 1)) : undefined;
    if (value === undefined) {
      invalidLines.push(index + 1);
      return;
    }
    fields.set(key, value);
  });
  return { fields, invalidLines };
}

/** Parses a shell-like value; undefined when a quote is left open. */
function parseValue(input: string): string | undefined {
  let out = '';
  let i = 0;
  while (i < input.length) {
    const ch = input[i] as string;
    if (ch === '"' || ch === "'") {
      const end =
        ch === '"'
          ? closingDoubleQuote(input, i + 1)
          : input.indexOf("'", i + 1);
      if (end < 0) return undefined;
      const body = input.slice(i + 1, end);
      out += ch === '"' ? unescapeDoubleQuoted(body) : body;
      i = end + 1;
    } else if (ch === '\\') {
      out += input[i + 1] ?? '';
      i += 2;
    } else if (ch === ' ' || ch === '\t') {
      // An unquoted blank ends the word; what follows is a comment or junk.
      break;
    } else {
      out += ch;
      i += 1;
    }
  }
  return out;
}

/** Index of the `"` that closes a double-quoted string opened before `from`. */
function closingDoubleQuote(input: string, from: number): number {
  for (let i = from; i < input.length; i++) {
    if (input[i] === '\\') i += 1;
    else if (input[i] === '"') return i;
  }
  return -1;
}

function unescapeDoubleQuoted(body: string): string {
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const next = body[i + 1];
    if (body[i] === '\\' && next !== undefined && DQ_ESCAPABLE.has(next)) {
      out += next;
      i += 1;
    } else {
      out += body[i];
    }
  }
  return out;
}
