import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';

/** Debian's chromium, or `$CHROMIUM_PATH`. */
export function chromiumPath(): string {
  return process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
}

/**
 * Launches the machine's headless Chromium through playwright-core (no
 * browser download). Fails, saying how to install it, when it is missing.
 */
export async function launchChromium(): Promise<Browser> {
  const executablePath = chromiumPath();
  if (!existsSync(executablePath))
    throw new Error(
      `${executablePath} is missing: apt-get install chromium (test/helpers/install-peers.sh does), or set CHROMIUM_PATH`,
    );
  return chromium.launch({
    executablePath,
    headless: true,
    // Containers often run as root without user namespaces.
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
  });
}

/** `test-artifacts/<name>/` at the checkout's root (gitignored), created. */
export function artifactsDir(name: string): string {
  const dir = join(
    fileURLToPath(new URL('../../test-artifacts/', import.meta.url)),
    name,
  );
  mkdirSync(dir, { recursive: true });
  return dir;
}
