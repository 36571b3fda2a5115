/**
 * A real clamd for tests: its own config, a custom signature database in a
 * temporary directory (no network, no freshclam), a unix socket and a TCP
 * port on loopback. The EICAR test file is known to it by its md5 (a `.hdb`
 * signature), so no downloaded database is needed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './registry.js';

const CLAMD = '/usr/sbin/clamd';

/** A running clamd and how to reach it. */
export interface ClamdHandle {
  /** `tcp://127.0.0.1:PORT`. */
  tcpAddress: string;
  socketPath: string;
  stop(): Promise<void>;
}

/** A `.hdb` line (md5:size:name) that makes clamd find `content` as `name`. */
export function hdbSignature(content: string | Buffer, name: string): string {
  const bytes = Buffer.from(content);
  const md5 = createHash('md5').update(bytes).digest('hex');
  return `${md5}:${bytes.length}:${name}`;
}

/**
 * Starts clamd with `signatures` (`.hdb` lines) as its only database and
 * waits until it answers PING. Fails with how to install it when missing.
 */
export async function startClamd(signatures: string[]): Promise<ClamdHandle> {
  if (!existsSync(CLAMD))
    throw new Error(
      `${CLAMD} is missing: run \`bash test/helpers/install-peers.sh\` (apt package clamav-daemon)`,
    );
  const dir = mkdtempSync(join(tmpdir(), 'customs-clamd-'));
  const port = await freePort();
  writeFileSync(join(dir, 'custom.hdb'), `${signatures.join('\n')}\n`);
  const socketPath = join(dir, 'clamd.sock');
  writeFileSync(
    join(dir, 'clamd.conf'),
    [
      'Foreground yes',
      `DatabaseDirectory ${dir}`,
      `LocalSocket ${socketPath}`,
      `TCPSocket ${port}`,
      'TCPAddr 127.0.0.1',
      `LogFile ${join(dir, 'clamd.log')}`,
      'StreamMaxLength 25M',
      '',
    ].join('\n'),
  );
  const child = spawn(CLAMD, [`--config-file=${join(dir, 'clamd.conf')}`], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  await waitForPing(child, port, () => output);
  return {
    tcpAddress: `tcp://127.0.0.1:${port}`,
    socketPath,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function waitForPing(
  child: ChildProcess,
  port: number,
  output: () => string,
): Promise<void> {
  const { connect } = await import('node:net');
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`clamd exited with ${child.exitCode}:\n${output()}`);
    const pong = await new Promise<boolean>((resolve) => {
      const s = connect({ host: '127.0.0.1', port }, () => s.write('zPING\0'));
      s.on('data', (d: Buffer) => {
        resolve(d.toString().startsWith('PONG'));
        s.destroy();
      });
      s.on('error', () => resolve(false));
    });
    if (pong) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  child.kill('SIGKILL');
  throw new Error(`clamd did not answer PING in 60 s:\n${output()}`);
}
