import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The built CLI (`npm test` builds it first; `npm run build` otherwise). */
export const CUSTOMS_MAIN = fileURLToPath(
  new URL('../../dist/services/customs/main.js', import.meta.url),
);

/** A `customs serve` process started by a test. */
export interface CustomsProcess {
  url: string;
  port: number;
  /** An admin API token (the bootstrap token the test started it with). */
  apiToken: string;
  child: ChildProcess;
  /** Everything the process wrote (JSON log lines). */
  output(): string;
  stop(): Promise<void>;
}

function requireBuilt(): void {
  if (!existsSync(CUSTOMS_MAIN)) {
    throw new Error(
      `${CUSTOMS_MAIN} is missing: run \`npm run build\` (npm test builds it first)`,
    );
  }
}

/**
 * Starts the real CLI `customs serve` with the given `CUSTOMS_*` env and
 * waits until /readyz answers 200. Fails with the process output when it
 * exits or does not become ready in time.
 */
export async function startCustoms(
  port: number,
  env: Record<string, string>,
  timeoutMs = 60_000,
): Promise<CustomsProcess> {
  requireBuilt();
  const apiToken = `customs_test_${randomBytes(16).toString('hex')}`;
  const child = spawn(
    process.execPath,
    [CUSTOMS_MAIN, 'serve', '--port', String(port)],
    {
      env: {
        ...cleanEnv(),
        CUSTOMS_ADMIN__BOOTSTRAPTOKEN: apiToken,
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(
        `customs serve exited with ${child.exitCode}:\n${output}`,
      );
    try {
      if ((await fetch(`${url}/readyz`)).ok) break;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  if (Date.now() >= deadline) {
    child.kill('SIGKILL');
    throw new Error(
      `customs serve not ready after ${timeoutMs} ms:\n${output}`,
    );
  }
  return {
    url,
    port,
    apiToken,
    child,
    output: () => output,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}

/** Runs a CLI command to completion; resolves with its exit code and output. */
export async function runCustoms(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  requireBuilt();
  const child = spawn(process.execPath, [CUSTOMS_MAIN, ...args], {
    env: { ...cleanEnv(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const code = await new Promise<number>((resolve) =>
    child.on('close', (c) => resolve(c ?? -1)),
  );
  return { code, stdout, stderr };
}

/** The test's environment without CUSTOMS_* variables (each test sets its own). */
function cleanEnv(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(process.env).filter(
      ([k, v]) => !k.toUpperCase().startsWith('CUSTOMS_') && v !== undefined,
    ),
  ) as Record<string, string>;
}
