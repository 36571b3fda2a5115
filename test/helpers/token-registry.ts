/**
 * A REAL docker-registry (distribution 2.8) with `auth: token`, trusting the
 * test token server of token-server.ts. start-registry.sh has no token mode,
 * so this writes the config itself (same layout: DIR/config.yml, data/,
 * registry.log) and runs `docker-registry serve` as a child process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort, type RegistryHandle } from './registry.js';
import {
  startTokenServer,
  type TokenServer,
  type TokenServerOptions,
} from './token-server.js';

/** Service name and issuer the registry and the token server agree on. */
export const TOKEN_SERVICE = 'customs-test-registry';
export const TOKEN_ISSUER = 'customs-test-issuer';

/** A token-auth registry and the token server it trusts. */
export interface TokenAuthRegistry {
  registry: RegistryHandle;
  tokenServer: TokenServer;
}

const children = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of children) child.kill('SIGTERM');
});

/**
 * Starts the token server, then docker-registry on a free port with
 * `auth.token` pointing at it. `registry.stop()` stops both and removes the dir.
 */
export async function startTokenAuthRegistry(
  options: Omit<TokenServerOptions, 'service' | 'issuer'> = {},
): Promise<TokenAuthRegistry> {
  const dir = await mkdtemp(join(tmpdir(), 'customs-token-registry-'));
  const tokenServer = await startTokenServer(dir, {
    ...options,
    service: TOKEN_SERVICE,
    issuer: TOKEN_ISSUER,
  });
  try {
    const port = await freePort();
    const config = join(dir, 'config.yml');
    await writeFile(config, registryConfig(dir, port, tokenServer));
    const child = await serve(config, join(dir, 'registry.log'));
    await waitForHttp(
      `http://127.0.0.1:${port}/v2/`,
      child,
      join(dir, 'registry.log'),
    );
    let stopping: Promise<void> | undefined;
    const registry: RegistryHandle = {
      host: `127.0.0.1:${port}`,
      url: `http://127.0.0.1:${port}`,
      port,
      dir,
      stop: () => (stopping ??= stopAll(child, tokenServer, dir)),
    };
    return { registry, tokenServer };
  } catch (err: unknown) {
    await tokenServer.close();
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

function registryConfig(
  dir: string,
  port: number,
  tokenServer: TokenServer,
): string {
  return `version: 0.1
log:
  level: info
  formatter: text
storage:
  filesystem:
    rootdirectory: ${dir}/data
  delete:
    enabled: true
http:
  addr: 127.0.0.1:${port}
  secret: test-token-registry-${port}-not-secret
auth:
  token:
    realm: ${tokenServer.realm}
    service: ${TOKEN_SERVICE}
    issuer: ${TOKEN_ISSUER}
    rootcertbundle: ${tokenServer.certPath}
`;
}

async function serve(config: string, logPath: string): Promise<ChildProcess> {
  const log = await open(logPath, 'a');
  try {
    const child = spawn('docker-registry', ['serve', config], {
      stdio: ['ignore', log.fd, log.fd],
    });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', (err) =>
        reject(
          new Error(
            'cannot run docker-registry: install it with `apt-get install -y docker-registry`',
            { cause: err },
          ),
        ),
      );
    });
    children.add(child);
    child.once('exit', () => children.delete(child));
    return child;
  } finally {
    await log.close();
  }
}

async function waitForHttp(
  url: string,
  child: ChildProcess,
  logPath: string,
): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) break;
    try {
      await fetch(url, { signal: AbortSignal.timeout(1000) });
      return;
    } catch (err: unknown) {
      void err; // not listening yet
      await sleep(100);
    }
  }
  child.kill('SIGTERM');
  throw new Error(
    `token-auth docker-registry did not come up on ${url}; see ${logPath}`,
  );
}

async function stopAll(
  child: ChildProcess,
  tokenServer: TokenServer,
  dir: string,
): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
  await tokenServer.close();
  await rm(dir, { recursive: true, force: true });
}
