import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../lib/config/package-root.js';
import { parseRules, type RuleSet } from '../../lib/policy/rules.js';

/** The rules file in force: `rules.file`, else the shipped example rules. */
export function rulesPath(file: string): string {
  return file || join(packageRoot(), 'config', 'rules.example.yaml');
}

/** Reads and validates the rules (PolicyError RULES_INVALID lists every problem). */
export function loadRules(file: string): RuleSet {
  const path = rulesPath(file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err: unknown) {
    throw new Error(
      `cannot read rules file ${path}: ${(err as Error).message}`,
    );
  }
  return parseRules(text, (p) => readFileSync(p), path);
}
