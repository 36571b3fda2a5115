import { parseDocument } from 'yaml';
import { ConfigError } from '../core/errors.js';
import { listConfigLeaves, readEnv } from './env.js';
import { configSchema, type Config } from './schema.js';

export interface LoadConfigInput {
  /** Config file path (`--config`); falls back to `CUSTOMS_CONFIG`. */
  configPath?: string | undefined;
  env: Record<string, string | undefined>;
  readFile: (path: string) => string;
}

/**
 * Builds the configuration: schema defaults < config file < `CUSTOMS_*` env.
 * Pure apart from `readFile`. Reports every problem at once as one
 * ConfigError('CONFIG_INVALID') whose `details.problems` lists them with
 * their paths and sources. The result is deep-frozen.
 */
export function loadConfig(input: LoadConfigInput): Readonly<Config> {
  const problems: string[] = [];
  const path = input.configPath ?? input.env.CUSTOMS_CONFIG;
  const fromFile = path ? readYamlFile(path, input.readFile, problems) : {};
  if (path && problems.length === 0 && fromFile.version === undefined) {
    problems.push(`version: required in ${path} (write \`version: 1\`)`);
  }
  const leaves = listConfigLeaves(configSchema);
  const env = readEnv(input.env, leaves, input.readFile);
  for (const p of env.problems) problems.push(`${p.variable}: ${p.message}`);
  const merged: Record<string, unknown> = { version: 1, ...fromFile };
  const sources = new Map<string, string>();
  for (const v of env.values) {
    setPath(merged, v.path, v.value);
    sources.set(v.path.join('.'), v.variable);
  }
  const parsed = configSchema.safeParse(merged);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      problems.push(describeIssue(issue, sources, path));
    }
  }
  if (problems.length > 0 || !parsed.success) {
    throw new ConfigError(
      'CONFIG_INVALID',
      `invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
      { details: { problems } },
    );
  }
  return deepFreeze(parsed.data);
}

function readYamlFile(
  path: string,
  readFile: (path: string) => string,
  problems: string[],
): Record<string, unknown> {
  let text: string;
  try {
    text = readFile(path);
  } catch (err: unknown) {
    problems.push(
      `${path}: cannot read config file: ${(err as Error).message}`,
    );
    return {};
  }
  const doc = parseDocument(text);
  if (doc.errors.length > 0) {
    for (const e of doc.errors) problems.push(`${path}: ${e.message}`);
    return {};
  }
  const value: unknown = doc.toJS();
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    problems.push(`${path}: the config file must hold a mapping`);
    return {};
  }
  return value as Record<string, unknown>;
}

function describeIssue(
  issue: {
    path: PropertyKey[];
    message: string;
    code: string;
    keys?: string[];
  },
  sources: Map<string, string>,
  file: string | undefined,
): string {
  const at = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys' && issue.keys) {
    const keys = issue.keys.map((k) => (at ? `${at}.${k}` : k));
    return `${keys.join(', ')}: unknown key${file ? ` (in ${file})` : ''}`;
  }
  const source = sources.get(at);
  return `${at || '(root)'}: ${issue.message}${source ? ` (from ${source})` : ''}`;
}

function setPath(
  target: Record<string, unknown>,
  path: string[],
  value: unknown,
): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) {
      node[key] = {};
    }
    node = node[key] as Record<string, unknown>;
  }
  const last = path[path.length - 1];
  if (last !== undefined) node[last] = value;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
