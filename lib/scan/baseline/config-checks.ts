/**
 * Runs the configuration baseline (catalogue.ts) on what a scan knows of
 * an image: its config (user, healthcheck, env, history, labels), the
 * flags of the files in its final filesystem, and its tags. Pure. Secrets
 * found in ENV or history are named by variable or step, never quoted.
 */
import type { BaselineFinding } from '../../core/image-evidence.js';
import { scanSecrets } from '../secrets/scan-secrets.js';
import type { LayerFileFlag } from '../layers/layer-evidence.js';
import { BASELINE, type BaselineCheck } from './catalogue.js';
import type { FileFlagKind } from './file-flags.js';

/** The parts of an OCI image config the baseline reads. */
export interface ImageConfigDocument {
  config?: {
    User?: string;
    Env?: string[];
    Healthcheck?: { Test?: string[] };
    Labels?: Record<string, string> | null;
  } | null;
  history?: Array<{ created_by?: string }>;
}

/** Everything the checks read. */
export interface BaselineInput {
  config: ImageConfigDocument | undefined;
  flags: readonly LayerFileFlag[];
  tags: readonly string[];
}

/** Paths quoted per check; details give the total. */
const MAX_PATHS = 20;
const ROOT_USER_RE = /^(?:|root|0)(?::.*)?$/;
const ADD_URL_RE = /(?:^|\s)ADD\s+(?:--\S+\s+)*(https?:\/\/\S+)/g;
const NO_SECRETS = { disabledRules: new Set<string>() };

/** The failed checks, in catalogue order. */
export function baselineFindings(input: BaselineInput): BaselineFinding[] {
  const c = input.config?.config ?? undefined;
  const history = input.config?.history ?? [];
  const found: BaselineFinding[] = [];
  const add = (check: BaselineCheck, details?: Record<string, unknown>) =>
    found.push({ ...check, ...(details && { details }) });
  if (input.config !== undefined && ROOT_USER_RE.test(c?.User ?? ''))
    add(BASELINE.rootUser, { user: c?.User ?? '' });
  const test = c?.Healthcheck?.Test;
  if (input.config !== undefined && (!test || test[0] === 'NONE'))
    add(BASELINE.noHealthcheck);
  const envSecrets = secretVariables(c?.Env ?? []);
  if (envSecrets.length > 0)
    add(BASELINE.secretInEnv, { variables: envSecrets });
  const steps = secretSteps(history);
  if (steps.length > 0) add(BASELINE.secretInHistory, { historySteps: steps });
  const urls = remoteAdds(history);
  if (urls.length > 0) add(BASELINE.addRemoteUrl, { urls });
  flagCheck(input.flags, ['setuid', 'setgid'], BASELINE.setuid, add);
  flagCheck(input.flags, ['world-writable'], BASELINE.worldWritable, add);
  flagCheck(input.flags, ['package-cache'], BASELINE.packageCache, add);
  if (input.tags.length > 0 && input.tags.every((t) => t === 'latest'))
    add(BASELINE.latestOnly, { tags: input.tags });
  return found;
}

/** Names of ENV variables whose `NAME=value` line holds a secret. */
function secretVariables(env: readonly string[]): string[] {
  const hits = scanSecrets(Buffer.from(env.join('\n')), NO_SECRETS);
  const lines = new Set(hits.map((h) => h.line));
  return env
    .filter((_, i) => lines.has(i + 1))
    .map((e) => e.split('=', 1)[0] as string);
}

/** 0-based indexes of history steps whose command line holds a secret. */
function secretSteps(
  history: ReadonlyArray<{ created_by?: string }>,
): number[] {
  return history.flatMap((h, i) =>
    h.created_by !== undefined &&
    scanSecrets(Buffer.from(h.created_by), NO_SECRETS).length > 0
      ? [i]
      : [],
  );
}

/** Remote URLs of ADD steps, without query or fragment (they may carry tokens). */
function remoteAdds(history: ReadonlyArray<{ created_by?: string }>): string[] {
  const urls = history.flatMap((h) =>
    [...(h.created_by ?? '').matchAll(ADD_URL_RE)].map((m) => {
      try {
        const url = new URL(m[1] as string);
        return `${url.origin}${url.pathname}`;
      } catch {
        return 'unparsable URL';
      }
    }),
  );
  return [...new Set(urls)];
}

function flagCheck(
  flags: readonly LayerFileFlag[],
  kinds: readonly FileFlagKind[],
  check: BaselineCheck,
  add: (check: BaselineCheck, details?: Record<string, unknown>) => void,
): void {
  const mine = flags.filter((f) => kinds.includes(f.kind));
  if (mine.length === 0) return;
  const paths = [...new Set(mine.map((f) => f.path))];
  add(check, {
    count: paths.length,
    files: mine.slice(0, MAX_PATHS).map((f) => ({
      path: f.path,
      mode: `0${f.mode.toString(8)}`,
      layerDigest: f.layerDigest,
    })),
  });
}
