/**
 * Finds secrets in the content of one file with the built-in rules. The
 * secret itself never leaves this module: a finding carries the rule, the
 * line and an excerpt of that line with the secret masked.
 */
import { SECRET_HINTS, SECRET_RULES, type SecretRule } from './secret-rules.js';

/** A secret in one file, without the secret. */
export interface SecretHit {
  ruleId: string;
  title: string;
  severity: SecretRule['severity'];
  /** 1-based line where the secret starts. */
  line: number;
  /** The line around the secret, the secret replaced by `*****`. */
  excerpt: string;
}

/** What decides which rules run and what is skipped. */
export interface SecretScanOptions {
  /** Rule ids never reported. */
  disabledRules: ReadonlySet<string>;
}

/** Bytes looked at to tell a binary file (a NUL byte) from text. */
const BINARY_SNIFF_BYTES = 8000;
/** Characters of the line kept on each side of the secret. */
const EXCERPT_CONTEXT = 30;
const MASK = '*****';
/** Documentation placeholders (AWS's `AKIAIOSFODNN7EXAMPLE`) are not leaks. */
const PLACEHOLDER = /example|x{8,}|\*{4,}|<[^>]*>|\$\{/i;

/** True when `content` looks binary (a NUL byte near its start). */
export function isBinary(content: Buffer): boolean {
  return content.subarray(0, BINARY_SNIFF_BYTES).includes(0);
}

/**
 * The secrets in `content` (a text file; callers skip binaries), in rule
 * order then position. A span claimed by one rule is not reported again by
 * a later, more generic one.
 */
export function scanSecrets(
  content: Buffer,
  options: SecretScanOptions,
): SecretHit[] {
  // latin1 maps every byte to one character: invalid UTF-8 cannot break a match.
  const text = content.toString('latin1');
  if (!SECRET_HINTS.test(text)) return [];
  const claimed: Array<[number, number]> = [];
  const found: Array<{ rule: SecretRule; span: [number, number] }> = [];
  for (const rule of SECRET_RULES) {
    if (options.disabledRules.has(rule.id)) continue;
    for (const match of text.matchAll(rule.pattern)) {
      const span = match.indices?.groups?.['secret'];
      const secret = match.groups?.['secret'];
      if (span === undefined || secret === undefined) continue;
      if (!isLikelySecret(secret, rule)) continue;
      if (claimed.some(([s, e]) => span[0] < e && s < span[1])) continue;
      claimed.push(span);
      found.push({ rule, span });
    }
  }
  return found.map(({ rule, span }) => ({
    ruleId: rule.id,
    title: rule.title,
    severity: rule.severity,
    line: lineAt(text, span[0]),
    excerpt: excerptOf(text, span, claimed),
  }));
}

/** Shannon entropy of `value` in bits per character. */
export function shannonEntropy(value: string): number {
  const counts = new Map<string, number>();
  for (const ch of value) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let bits = 0;
  for (const count of counts.values()) {
    const p = count / value.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

function isLikelySecret(secret: string, rule: SecretRule): boolean {
  if (PLACEHOLDER.test(secret)) return false;
  return (
    rule.minEntropy === undefined || shannonEntropy(secret) >= rule.minEntropy
  );
}

function lineAt(text: string, index: number): number {
  let line = 1;
  for (
    let i = text.indexOf('\n');
    i !== -1 && i < index;
    i = text.indexOf('\n', i + 1)
  )
    line++;
  return line;
}

/**
 * The secret's line (clipped around it) on one line, with this secret and
 * every other one found in the window masked.
 */
function excerptOf(
  text: string,
  [start, end]: [number, number],
  secrets: ReadonlyArray<[number, number]>,
): string {
  const lineStart = text.lastIndexOf('\n', start - 1) + 1;
  const nextBreak = text.indexOf('\n', start);
  const from = Math.max(lineStart, start - EXCERPT_CONTEXT);
  // A multi-line secret (a key block) ends the excerpt at its own line end.
  const to =
    nextBreak !== -1 && nextBreak < end
      ? end
      : Math.min(end + EXCERPT_CONTEXT, lineEndAfter(text, end));
  let excerpt = '';
  let at = from;
  const inWindow = secrets
    .filter(([s, e]) => s < to && e > from)
    .sort((a, b) => a[0] - b[0]);
  for (const [s, e] of inWindow) {
    if (s > at) excerpt += text.slice(at, s);
    if (e > at) excerpt += MASK;
    at = Math.max(at, e);
  }
  excerpt += text.slice(Math.min(at, to), to);
  return excerpt.replace(/[\r\t\n]/g, ' ').trim();
}

function lineEndAfter(text: string, index: number): number {
  const i = text.indexOf('\n', index);
  return i === -1 ? text.length : i;
}
