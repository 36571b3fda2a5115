import { spawn } from 'node:child_process';
import { freePort } from '../test/helpers/registry.js';

/**
 * Runs `fn` against bare-node-server.ts (started with `args` on a free
 * port), stopping the server after: the in-run floor of a benchmark.
 */
export async function withBareServer<T>(
  args: string[],
  fn: (url: string) => T,
): Promise<T> {
  const port = await freePort();
  const server = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      new URL('bare-node-server.ts', import.meta.url).pathname,
      `${port}`,
      ...args,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  try {
    await new Promise<void>((resolve, reject) => {
      server.stdout.once('data', () => resolve());
      server.once('exit', (code) =>
        reject(new Error(`bare server exited ${code}`)),
      );
    });
    return fn(`http://127.0.0.1:${port}`);
  } finally {
    server.kill();
  }
}
