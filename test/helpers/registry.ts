/**
 * Test harness for a REAL CNCF distribution registry (`docker-registry` 2.8)
 * and the real test images of `make-test-images.sh`, both from
 * ../shared/scripts (see its README). Missing tools make the caller fail
 * with a message saying how to install them; nothing is ever skipped
 * (STYLE.md §7, "Real peers, never mocks").
 */
import { execFile } from 'node:child_process';
import { constants as fsConstants } from 'node:fs';
import { access, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A running registry started by {@link startRegistry}. */
export interface RegistryHandle {
  /** `127.0.0.1:PORT`, as image references and skopeo want it. */
  host: string;
  /** `http://127.0.0.1:PORT`. */
  url: string;
  port: number;
  /** Instance dir: config.yml, data/, registry.log, htpasswd. */
  dir: string;
  /** Stops the registry and removes `dir`. Idempotent. */
  stop(): Promise<void>;
}

/** Options of {@link startRegistry}, mapped onto start-registry.sh flags. */
export interface StartRegistryOptions {
  /** `-n`: webhook URL for notifications (loopback only). */
  notifyUrl?: string;
  /** `-s`: shared secret sent as `Authorization: Bearer SECRET`. */
  secret?: string;
  /** `-u`: htpasswd (bcrypt) basic auth. */
  auth?: { username: string; password: string };
  /** `--ignore-pull`: no pull events. */
  ignorePull?: boolean;
}

/** Names `make-test-images.sh --only` accepts. */
const IMAGE_NAMES = [
  'debian',
  'busybox',
  'busybox-v2s2',
  'app',
  'app-zstd',
  'app-uncompressed',
  'multiarch',
] as const;

const SCRIPTS_DIR = fileURLToPath(
  new URL('../../../shared/scripts/', import.meta.url),
);
// Another engineer's registries live on 15050-15099: never hand those out.
const RESERVED_PORTS = { from: 15050, to: 15099 };
const PUSHED_LINE_RE = /^(\S+)\t(sha256:[a-f0-9]{64})$/;
const live = new Map<string, number>();

/** The test-image cache dir (`$OCI_TEST_CACHE`, default /tmp/oci-test-cache). */
export function ociTestCache(): string {
  return process.env['OCI_TEST_CACHE'] ?? '/tmp/oci-test-cache';
}

/** A TCP port free on 127.0.0.1 right now, outside the reserved range. */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await osPort();
    if (port < RESERVED_PORTS.from || port > RESERVED_PORTS.to) return port;
  }
  throw new Error('no free port outside 15050-15099 after 20 tries');
}

/**
 * Starts a private docker-registry on a free loopback port with its own temp
 * dir (start-registry.sh). Throws, with install instructions, when
 * docker-registry is missing. The caller must `stop()` it (afterAll).
 */
export async function startRegistry(
  options: StartRegistryOptions = {},
): Promise<RegistryHandle> {
  await requireCommands(['docker-registry', 'curl'], 'docker-registry curl');
  if (options.auth?.username.includes(':')) {
    throw new Error('registry auth username must not contain ":"');
  }
  const dir = await mkdtemp(join(tmpdir(), 'customs-registry-'));
  try {
    return await launchOnFreePort(dir, options);
  } catch (err: unknown) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

/**
 * Builds (from the cache) and pushes the named test images with
 * make-test-images.sh, serialised by a lock file in the cache because the
 * script rewrites its OCI layouts and images.json on every run. Returns the
 * pushed references (`HOST/test/REPO:TAG`) and manifest digests, in the
 * order the script pushed them.
 */
export async function pushTestImages(
  registry: RegistryHandle,
  only: string[],
  options: { creds?: string } = {},
): Promise<Array<{ ref: string; digest: string }>> {
  assertImageNames(only);
  await requireCommands(
    ['skopeo', 'umoci', 'jq', 'flock'],
    'skopeo umoci jq util-linux',
  );
  const cache = ociTestCache();
  await mkdir(cache, { recursive: true });
  const args = [
    join(cache, '.make-test-images.lock'),
    'bash',
    script('make-test-images.sh'),
    '-r',
    registry.host,
    '--only',
    only.join(','),
  ];
  if (options.creds !== undefined) args.push('--creds', options.creds);
  const { stdout } = await run('flock', args, 'make-test-images.sh');
  const pushed = parsePushed(stdout);
  if (pushed.length !== only.length) {
    throw new Error(
      `make-test-images.sh pushed ${pushed.length} of ${only.length} images:\n${stdout}`,
    );
  }
  return pushed;
}

async function launchOnFreePort(
  dir: string,
  options: StartRegistryOptions,
): Promise<RegistryHandle> {
  // The port can be taken between freePort() and the registry's bind.
  for (let attempt = 1; ; attempt++) {
    try {
      return await launch(await freePort(), dir, options);
    } catch (err: unknown) {
      if (attempt >= 3 || !String(err).includes('already listens')) throw err;
    }
  }
}

function assertImageNames(only: string[]): void {
  const unknown = only.filter(
    (n) => !(IMAGE_NAMES as readonly string[]).includes(n),
  );
  if (only.length === 0 || unknown.length > 0) {
    throw new Error(
      `pushTestImages: unknown image names [${unknown.join(', ')}]; use ${IMAGE_NAMES.join(', ')}`,
    );
  }
}

/** The script ends by printing `ref<TAB>digest` per pushed image. */
function parsePushed(stdout: string): Array<{ ref: string; digest: string }> {
  return stdout.split('\n').flatMap((line) => {
    const m = PUSHED_LINE_RE.exec(line.trim());
    return m?.[1] !== undefined && m[2] !== undefined
      ? [{ ref: m[1], digest: m[2] }]
      : [];
  });
}

async function launch(
  port: number,
  dir: string,
  options: StartRegistryOptions,
): Promise<RegistryHandle> {
  const args = ['-p', String(port), '-d', dir];
  if (options.notifyUrl !== undefined) args.push('-n', options.notifyUrl);
  if (options.secret !== undefined) args.push('-s', options.secret);
  if (options.auth !== undefined) {
    args.push('-u', `${options.auth.username}:${options.auth.password}`);
  }
  if (options.ignorePull === true) args.push('--ignore-pull');
  const { stdout } = await run(
    'bash',
    [script('start-registry.sh'), ...args],
    'start-registry.sh',
  );
  const pid = Number(stdout.trim().split('\n').pop());
  if (Number.isInteger(pid) && pid > 0) live.set(dir, pid);
  let stopping: Promise<void> | undefined;
  return {
    host: `127.0.0.1:${port}`,
    url: `http://127.0.0.1:${port}`,
    port,
    dir,
    stop: () => (stopping ??= stop(dir)),
  };
}

async function stop(dir: string): Promise<void> {
  try {
    await run('bash', [script('stop-registry.sh'), dir], 'stop-registry.sh');
  } finally {
    live.delete(dir);
    await rm(dir, { recursive: true, force: true });
  }
}

// A worker that exits without afterAll (crash, bail) must not leave detached
// registries behind: kill exactly the PIDs this module started.
process.once('exit', () => {
  for (const pid of live.values()) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch (err: unknown) {
      void err; // already gone
    }
  }
});

function script(name: string): string {
  return join(SCRIPTS_DIR, name);
}

function run(
  file: string,
  args: string[],
  what: string,
): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(
      file,
      args,
      { maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err === null) {
          resolve({ stdout, stderr });
          return;
        }
        const tail = stderr.split('\n').slice(-20).join('\n');
        reject(
          new Error(
            `${what} failed (${err.message.split('\n')[0]}):\n${tail}`,
            { cause: err },
          ),
        );
      },
    );
  });
}

async function requireCommands(
  commands: string[],
  packages: string,
): Promise<void> {
  const missing: string[] = [];
  for (const cmd of commands) {
    if (!(await onPath(cmd))) missing.push(cmd);
  }
  if (missing.length > 0) {
    throw new Error(
      `missing test peer(s): ${missing.join(', ')}. Install them with ` +
        `\`apt-get install -y ${packages}\` (Debian: docker-registry is CNCF ` +
        `distribution 2.8), then run the tests again; registries are started by ` +
        `${script('start-registry.sh')} and images pushed by ${script('make-test-images.sh')}.`,
    );
  }
}

async function onPath(cmd: string): Promise<boolean> {
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    if (dir === '') continue;
    try {
      await access(join(dir, cmd), fsConstants.X_OK);
      return true;
    } catch (err: unknown) {
      void err; // not in this PATH entry
    }
  }
  return false;
}

function osPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port =
        typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
