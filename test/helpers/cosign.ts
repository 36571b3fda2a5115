import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { ociTestCache } from './registry.js';

const run = promisify(execFile);
const SCRIPTS = fileURLToPath(
  new URL('../../../shared/scripts/', import.meta.url),
);
const PASSWORD = 'test-password';

/** Where cosign-keys.mjs finds tweetnacl (installed once, as sign-image.sh does). */
async function tweetnaclDir(): Promise<string> {
  const dir = join(ociTestCache(), 'node-tools');
  if (!existsSync(join(dir, 'node_modules', 'tweetnacl', 'package.json'))) {
    await run('npm', [
      'install',
      '--prefix',
      dir,
      '--no-audit',
      '--no-fund',
      '--no-save',
      'tweetnacl@1.0.3',
    ]);
  }
  return dir;
}

/** Generates a cosign-format key pair: `${prefix}.key` (encrypted) and `${prefix}.pub`. */
export async function generateCosignKeyPair(
  prefix: string,
): Promise<{ publicKeyFile: string }> {
  const env = { ...process.env, TWEETNACL_DIR: await tweetnaclDir() };
  await run(
    process.execPath,
    [join(SCRIPTS, 'cosign-keys.mjs'), 'generate', prefix, PASSWORD],
    { env },
  );
  return { publicKeyFile: `${prefix}.pub` };
}

/**
 * Signs `ref` (HOST/REPO:TAG) in the registry with sign-image.sh: cosign's
 * legacy `sha256-<hex>.sig` tag, checked by its independent openssl verifier.
 */
export async function signImage(ref: string, keyPrefix: string): Promise<void> {
  const env = {
    ...process.env,
    COSIGN_PASSWORD: PASSWORD,
    TWEETNACL_DIR: await tweetnaclDir(),
  };
  await run('bash', [join(SCRIPTS, 'sign-image.sh'), '-k', keyPrefix, ref], {
    env,
  });
}
