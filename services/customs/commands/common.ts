import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../../lib/config/load.js';
import type { Config } from '../../../lib/config/schema.js';
import { hasCode } from '../../../lib/core/errors.js';
import {
  isAlive,
  readLockInfo,
  type LockInfo,
} from '../../../lib/storage/postgres/data-dir-lock.js';

/** Exit codes of the CLI. */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

/** A failure the CLI reports as one message and an exit code (no stack). */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.failure,
  ) {
    super(message);
  }
}

/** Loads the config from `--config` / `CUSTOMS_CONFIG` and the environment; bad config exits 2. */
export function configFrom(configPath: string | undefined): Readonly<Config> {
  try {
    return loadConfig({
      configPath,
      env: process.env,
      readFile: (p) => readFileSync(p, 'utf8'),
    });
  } catch (err: unknown) {
    if (hasCode(err, 'CONFIG_INVALID'))
      throw new CliError((err as Error).message, EXIT.usage);
    throw err;
  }
}

/** The running `customs serve` that holds the embedded database, if any. */
export function runningServer(config: Readonly<Config>): LockInfo | undefined {
  if (config.database.url) return undefined;
  const info = readLockInfo(join(config.dataDir, 'customs.lock'));
  return info && isAlive(info) ? info : undefined;
}

/** The API base URL: `--url`, else the running server's, else server.host:port. */
export function apiUrl(
  config: Readonly<Config>,
  explicit: string | undefined,
): string {
  if (explicit) return explicit.replace(/\/$/, '');
  const running = runningServer(config);
  if (running?.apiUrl) return running.apiUrl;
  return `http://${config.server.host}:${config.server.port}`;
}

/** Writes a line to stdout (the CLI's result channel; logs go to stderr). */
export function out(line: string): void {
  process.stdout.write(`${line}\n`);
}

/** `revoked …`, `expires …` or `no expiry`: the state column of credential lists. */
export function validityOf(c: {
  revokedAt?: string | undefined;
  expiresAt?: string | undefined;
}): string {
  if (c.revokedAt) return `revoked ${c.revokedAt}`;
  return c.expiresAt ? `expires ${c.expiresAt}` : 'no expiry';
}
