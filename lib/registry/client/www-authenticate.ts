/**
 * A parser of `WWW-Authenticate` challenges (RFC 9110 §11.6.1, formerly
 * RFC 7235 §4.1) as registries send them:
 * `Bearer realm="https://auth.example/token",service="reg",scope="repository:a/b:pull"`
 * or `Basic realm="registry"`.
 */

/** One challenge: a lower-cased scheme and its auth-params (names lower-cased). */
export interface AuthChallenge {
  scheme: string;
  params: Record<string, string>;
}

// tchar of RFC 9110 §5.6.2; token68 adds "/" and trailing "=".
const TOKEN_RE = /[!#$%&'*+\-.^_`|~0-9A-Za-z]+/y;
const TOKEN68_RE = /[-._~+/0-9A-Za-z]+=*/y;
const SPACE_RE = /[ \t]*/y;

/**
 * Parses every challenge of one or more header values. Malformed input never
 * throws: parsing stops at the first thing that is not a challenge and
 * returns what came before (a registry that garbles its challenge then gets
 * UPSTREAM_UNAUTHORIZED rather than a crash).
 */
export function parseWwwAuthenticate(
  header: string | readonly string[] | undefined,
): AuthChallenge[] {
  if (header === undefined) return [];
  const input = typeof header === 'string' ? header : header.join(', ');
  const scanner = { input, pos: 0 };
  const challenges: AuthChallenge[] = [];
  for (;;) {
    skipSeparators(scanner);
    const scheme = match(scanner, TOKEN_RE);
    if (scheme === undefined) break;
    const challenge: AuthChallenge = {
      scheme: scheme.toLowerCase(),
      params: {},
    };
    challenges.push(challenge);
    readParams(scanner, challenge.params);
  }
  return challenges;
}

/** The first challenge of `scheme` (case-insensitive), if any. */
export function findChallenge(
  challenges: readonly AuthChallenge[],
  scheme: string,
): AuthChallenge | undefined {
  const wanted = scheme.toLowerCase();
  return challenges.find((c) => c.scheme === wanted);
}

interface Scanner {
  input: string;
  pos: number;
}

/** Reads `name=value` pairs until the next challenge's scheme or the end. */
function readParams(s: Scanner, params: Record<string, string>): void {
  for (;;) {
    skipSeparators(s);
    const start = s.pos;
    const name = match(s, TOKEN_RE);
    if (name === undefined) return;
    match(s, SPACE_RE);
    if (s.input[s.pos] !== '=') {
      // A bare token after a comma starts the next challenge.
      s.pos = start;
      return;
    }
    s.pos++;
    match(s, SPACE_RE);
    const value = s.input[s.pos] === '"' ? readQuoted(s) : match(s, TOKEN_RE);
    if (value === undefined) {
      // token68 (`Basic dXNlcg==`) or garbage: keep the raw text, move on.
      s.pos = start;
      match(s, TOKEN68_RE);
      continue;
    }
    params[name.toLowerCase()] = value;
  }
}

/** quoted-string with backslash escapes (RFC 9110 §5.6.4). */
function readQuoted(s: Scanner): string | undefined {
  let out = '';
  for (let i = s.pos + 1; i < s.input.length; i++) {
    const ch = s.input[i];
    if (ch === '"') {
      s.pos = i + 1;
      return out;
    }
    if (ch === '\\' && i + 1 < s.input.length) {
      i++;
      out += s.input[i];
    } else {
      out += ch;
    }
  }
  return undefined; // unterminated
}

function skipSeparators(s: Scanner): void {
  while (s.pos < s.input.length && /[\s,]/.test(s.input[s.pos] ?? '')) s.pos++;
}

function match(s: Scanner, re: RegExp): string | undefined {
  re.lastIndex = s.pos;
  const m = re.exec(s.input);
  if (m === null || m[0] === '') return undefined;
  s.pos = re.lastIndex;
  return m[0];
}
