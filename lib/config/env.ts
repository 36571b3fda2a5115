import type { z } from 'zod';

/** Kind of a leaf of the config schema, used to read env strings. */
export type LeafKind = 'string' | 'number' | 'boolean' | 'other';

export interface ConfigLeaf {
  path: string[];
  kind: LeafKind;
}

const WRAPPERS = new Set(['default', 'prefault', 'optional', 'nullable']);

/**
 * Lists every leaf key of an object schema with its path, so env names can be
 * matched case-insensitively (`CUSTOMS_SERVER__PORT` → `server.port`).
 */
export function listConfigLeaves(
  schema: z.ZodType,
  prefix: string[] = [],
): ConfigLeaf[] {
  const inner = unwrap(schema);
  if (inner.def.type === 'union') {
    // A discriminated union (e.g. `cache.driver`): every option's keys.
    const options = (inner.def as unknown as { options: z.ZodType[] }).options;
    const seen = new Map<string, ConfigLeaf>();
    for (const leaf of options.flatMap((o) => listConfigLeaves(o, prefix))) {
      seen.set(leaf.path.join('.'), leaf);
    }
    return [...seen.values()];
  }
  if (inner.def.type !== 'object') {
    return [{ path: prefix, kind: leafKind(inner.def.type) }];
  }
  const shape = (inner as z.ZodObject).shape;
  return Object.entries(shape).flatMap(([key, child]) =>
    listConfigLeaves(child as z.ZodType, [...prefix, key]),
  );
}

/** A value read from the environment, with the variable it came from. */
export interface EnvValue {
  path: string[];
  value: unknown;
  variable: string;
}

export interface EnvProblem {
  variable: string;
  message: string;
}

const PREFIX = 'CUSTOMS_';
const FILE_SUFFIX = '_FILE';
/** Variables with the prefix that are not config keys. */
const RESERVED = new Set(['CUSTOMS_CONFIG']);

/**
 * Reads `CUSTOMS_*` variables into config values. `__` separates levels;
 * names are case-insensitive; a `_FILE` suffix reads the value from a file
 * (for secrets mounted by an orchestrator). Unknown names are problems.
 */
export function readEnv(
  env: Record<string, string | undefined>,
  leaves: ConfigLeaf[],
  readFile: (path: string) => string,
): { values: EnvValue[]; problems: EnvProblem[] } {
  const byName = new Map(
    leaves.map((l) => [l.path.join('__').toLowerCase(), l]),
  );
  const values: EnvValue[] = [];
  const problems: EnvProblem[] = [];
  for (const [variable, raw] of Object.entries(env)) {
    if (!variable.toUpperCase().startsWith(PREFIX) || raw === undefined)
      continue;
    if (RESERVED.has(variable.toUpperCase())) continue;
    const result = readOne(variable, raw, byName, readFile);
    if ('message' in result)
      problems.push({ variable, message: result.message });
    else values.push({ ...result, variable });
  }
  return { values, problems };
}

function readOne(
  variable: string,
  raw: string,
  byName: Map<string, ConfigLeaf>,
  readFile: (path: string) => string,
): { path: string[]; value: unknown } | { message: string } {
  let name = variable.slice(PREFIX.length).toLowerCase();
  let fromFile = false;
  let leaf = byName.get(name);
  if (!leaf && variable.toUpperCase().endsWith(FILE_SUFFIX)) {
    name = name.slice(0, -FILE_SUFFIX.length);
    leaf = byName.get(name);
    fromFile = true;
  }
  if (!leaf) return { message: 'unknown configuration key' };
  let text = raw;
  if (fromFile) {
    try {
      text = readFile(raw).replace(/\r?\n$/, '');
    } catch (err: unknown) {
      return { message: `cannot read file ${raw}: ${(err as Error).message}` };
    }
  }
  return { path: leaf.path, value: coerce(text, leaf.kind) };
}

function coerce(text: string, kind: LeafKind): unknown {
  if (kind === 'number' && text.trim() !== '' && !Number.isNaN(Number(text))) {
    return Number(text);
  }
  if (kind === 'boolean') {
    if (/^(true|1|yes)$/i.test(text)) return true;
    if (/^(false|0|no)$/i.test(text)) return false;
  }
  // Anything else stays a string: the schema then names the type problem.
  return text;
}

function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  while (WRAPPERS.has(current.def.type)) {
    current = (current.def as unknown as { innerType: z.ZodType }).innerType;
  }
  return current;
}

function leafKind(type: string): LeafKind {
  if (type === 'number' || type === 'int') return 'number';
  if (type === 'boolean') return 'boolean';
  if (type === 'string' || type === 'enum' || type === 'literal')
    return 'string';
  return 'other';
}
