/**
 * rpm's sqlite database, `rpmdb.sqlite` (rpm ≥ 4.16: table `Packages(hnum,
 * blob)`), read in memory with sql.js (SQLite compiled to WebAssembly: no
 * native build, no file access).
 */
import initSqlJs, { type SqlJsStatic } from 'sql.js';
import type { BlobHandler } from './bdb.js';

const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');
// The compiled WebAssembly module, loaded once: it is code, not state.
let sqlJs: Promise<SqlJsStatic> | undefined;

/** True when `bytes` starts like an SQLite 3 database. */
export function isSqlite(bytes: Buffer): boolean {
  return bytes.subarray(0, SQLITE_MAGIC.length).equals(SQLITE_MAGIC);
}

/**
 * Hands every `Packages.blob` to `onBlob`.
 * @throws Error from SQLite when the file is not a readable database or
 *   has no Packages table.
 */
export async function readSqliteRpmdb(
  bytes: Buffer,
  onBlob: BlobHandler,
): Promise<void> {
  sqlJs ??= initSqlJs();
  const SQL = await sqlJs;
  const db = new SQL.Database(withoutWal(bytes));
  try {
    const statement = db.prepare('SELECT blob FROM Packages ORDER BY hnum');
    try {
      while (statement.step()) {
        const [blob] = statement.get();
        if (blob instanceof Uint8Array) onBlob(Buffer.from(blob));
      }
    } finally {
      statement.free();
    }
  } finally {
    db.close();
  }
}

/**
 * rpm opens its database in WAL mode, which an in-memory SQLite cannot
 * open; an image's database has its WAL checkpointed (or lost: only the
 * main file is read), so it is read as a rollback-journal database by
 * setting the header's read/write versions (offsets 18 and 19) to 1.
 */
function withoutWal(bytes: Buffer): Buffer {
  if (bytes.length < 20 || (bytes[18] !== 2 && bytes[19] !== 2)) return bytes;
  const copy = Buffer.from(bytes);
  copy[18] = 1;
  copy[19] = 1;
  return copy;
}
