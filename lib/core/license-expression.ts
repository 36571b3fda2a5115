/**
 * Declared licenses as packages carry them: an SPDX license expression
 * (https://spdx.github.io/spdx-spec/v2.3/SPDX-license-expressions/) or the
 * free text a package format allows (rpm `GPLv2+ and BSD`, Debian DEP-5
 * `GPL-2+ or Artistic, and BSD`, Python `MIT License`). The parser is
 * lenient, so it reads all of these: operators in any case, leaves of
 * several words, DEP-5's comma that closes everything before it
 * (`A or B, and C` = `(A or B) and C`). Text it cannot read (unbalanced
 * parentheses, a dangling operator) is one leaf, as given.
 */

/** A parsed license expression. Leaves keep their text as given. */
export type LicenseNode =
  | { kind: 'license'; name: string }
  | { kind: 'with'; license: string; exception: string }
  | { kind: 'and' | 'or'; terms: LicenseNode[] };

/** Longest declared license text kept; longer text is cut (a whole license pasted in). */
export const MAX_LICENSE_CHARS = 1000;

const TOKEN_RE = /\(|\)|,|[^\s(),]+/g;
/** Deepest parenthesis nesting read; deeper text is one leaf (no deep recursion). */
const MAX_DEPTH = 16;
const OPERATORS = new Set(['and', 'or', 'with']);
const BLANKS_RE = /\s+/g;

/**
 * A declared license as it is stored: whitespace collapsed, trimmed, at
 * most {@link MAX_LICENSE_CHARS}; undefined when empty or absent, and for
 * the "no information" markers `UNKNOWN` and `NOASSERTION`.
 */
export function declaredLicense(
  text: string | undefined | null,
): string | undefined {
  const clean = (text ?? '').replace(BLANKS_RE, ' ').trim();
  if (clean === '' || NO_INFORMATION.has(clean.toLowerCase())) return undefined;
  return clean.slice(0, MAX_LICENSE_CHARS);
}

const NO_INFORMATION = new Set(['unknown', 'noassertion', 'none', 'n/a']);

/** Parses a declared license leniently (see the module comment); never throws. */
export function parseLicense(text: string): LicenseNode {
  const tokens = text.match(TOKEN_RE) ?? [];
  try {
    const parser = new Parser(tokens);
    const node = parser.commaList();
    if (parser.hasMore()) throw new SyntaxError('trailing tokens');
    return node;
  } catch (err: unknown) {
    if (!(err instanceof SyntaxError)) throw err;
    return { kind: 'license', name: text.trim() };
  }
}

/** Writes a node back as an expression (upper-case operators, parentheses where needed). */
export function formatLicense(node: LicenseNode): string {
  switch (node.kind) {
    case 'license':
      return node.name;
    case 'with':
      return `${node.license} WITH ${node.exception}`;
    case 'and':
    case 'or':
      return node.terms
        .map((t) =>
          (t.kind === 'and' || t.kind === 'or') && t.kind !== node.kind
            ? `(${formatLicense(t)})`
            : formatLicense(t),
        )
        .join(node.kind === 'and' ? ' AND ' : ' OR ');
  }
}

/** Recursive descent: commaList > or > and > with > primary. */
class Parser {
  private at = 0;
  private depth = 0;
  constructor(private readonly tokens: string[]) {}

  hasMore(): boolean {
    return this.at < this.tokens.length;
  }

  /** DEP-5: `A or B, and C`: a comma closes what comes before it. */
  commaList(): LicenseNode {
    let node = this.or();
    while (this.peek() === ',') {
      this.at++;
      const op = this.peek()?.toLowerCase();
      if (op !== 'and' && op !== 'or') throw new SyntaxError('comma');
      this.at++;
      node = join(op, node, this.or());
    }
    return node;
  }

  private or(): LicenseNode {
    let node = this.and();
    while (this.isOperator('or')) {
      this.at++;
      node = join('or', node, this.and());
    }
    return node;
  }

  private and(): LicenseNode {
    let node = this.with();
    while (this.isOperator('and')) {
      this.at++;
      node = join('and', node, this.with());
    }
    return node;
  }

  private with(): LicenseNode {
    const node = this.primary();
    if (!this.isOperator('with')) return node;
    this.at++;
    if (node.kind !== 'license') throw new SyntaxError('WITH after a group');
    return { kind: 'with', license: node.name, exception: this.words() };
  }

  private primary(): LicenseNode {
    if (this.peek() !== '(') return { kind: 'license', name: this.words() };
    if (++this.depth > MAX_DEPTH) throw new SyntaxError('nested too deep');
    this.at++;
    const node = this.commaList();
    if (this.peek() !== ')') throw new SyntaxError('unclosed parenthesis');
    this.at++;
    this.depth--;
    return node;
  }

  /** One leaf: the words up to the next operator, comma or parenthesis. */
  private words(): string {
    const start = this.at;
    while (this.hasMore() && !this.isBoundary()) this.at++;
    if (this.at === start) throw new SyntaxError('missing license');
    return this.tokens.slice(start, this.at).join(' ');
  }

  private isBoundary(): boolean {
    const t = this.peek() as string;
    return (
      t === '(' || t === ')' || t === ',' || OPERATORS.has(t.toLowerCase())
    );
  }

  private isOperator(op: string): boolean {
    return this.peek()?.toLowerCase() === op;
  }

  private peek(): string | undefined {
    return this.tokens[this.at];
  }
}

/** `a op b`, flattening nested terms of the same operator. */
function join(
  op: 'and' | 'or',
  left: LicenseNode,
  right: LicenseNode,
): LicenseNode {
  const terms = [left, right].flatMap((n) => (n.kind === op ? n.terms : [n]));
  return { kind: op, terms };
}
