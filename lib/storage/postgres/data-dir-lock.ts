import {
  closeSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { StorageError } from '../../core/errors.js';

/** What the lock file says about the process holding the data directory. */
export interface LockInfo {
  pid: number;
  hostname: string;
  startedAt: string;
  /** Set by `customs serve` once it listens, so the CLI can reach it. */
  apiUrl?: string;
  /** A per-process token (file mode 0600) that authenticates the local CLI. */
  localToken?: string;
}

/**
 * An exclusive lock on a data directory: PGlite must never be opened by two
 * processes at once (each would write the same files and corrupt them). The
 * lock is a file created with O_EXCL holding the owner's pid; a lock left by
 * a dead process on this host is taken over.
 */
export class DataDirLock {
  readonly path: string;
  #info: LockInfo;

  private constructor(path: string, info: LockInfo) {
    this.path = path;
    this.#info = info;
  }

  /** Takes the lock or throws StorageError('DATABASE_LOCKED') naming the holder. */
  static acquire(path: string): DataDirLock {
    const info: LockInfo = {
      pid: process.pid,
      hostname: hostname(),
      startedAt: new Date().toISOString(),
    };
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = openSync(path, 'wx', 0o600);
        writeFileSync(fd, JSON.stringify(info));
        closeSync(fd);
        return new DataDirLock(path, info);
      } catch (err: unknown) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        const holder = readLockInfo(path);
        if (holder && isAlive(holder)) throw lockedError(path, holder);
        rmSync(path, { force: true }); // stale: its process is gone
      }
    }
    throw lockedError(path, readLockInfo(path));
  }

  get info(): LockInfo {
    return this.#info;
  }

  /** Adds what the CLI needs to reach this process (atomically rewritten). */
  update(extra: Partial<Pick<LockInfo, 'apiUrl' | 'localToken'>>): void {
    this.#info = { ...this.#info, ...extra };
    writeFileSync(this.path, JSON.stringify(this.#info), { mode: 0o600 });
  }

  release(): void {
    const holder = readLockInfo(this.path);
    if (holder?.pid === process.pid) rmSync(this.path, { force: true });
  }
}

/** Reads a lock file; undefined when absent or unreadable. */
export function readLockInfo(path: string): LockInfo | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as LockInfo;
  } catch {
    // Absent, or half-written by a process that died: treated as no holder.
    return undefined;
  }
}

/** True when the lock's process still runs (only checkable on this host). */
export function isAlive(info: LockInfo): boolean {
  if (info.hostname !== hostname()) return true;
  if (info.pid === process.pid) return true;
  try {
    process.kill(info.pid, 0);
    return true;
  } catch (err: unknown) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function lockedError(path: string, holder: LockInfo | undefined): StorageError {
  const who = holder
    ? `process ${holder.pid} on ${holder.hostname} (since ${holder.startedAt})`
    : 'another process';
  return new StorageError(
    'DATABASE_LOCKED',
    `the embedded database is in use by ${who}; lock file ${path}. ` +
      'Only one process may open it: stop that process, or set database.url to a PostgreSQL server to run several.',
    { details: { path, holder } },
  );
}
