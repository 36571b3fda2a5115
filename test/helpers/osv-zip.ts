import { createWriteStream } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import yazl from 'yazl';

/**
 * Writes a zip of every `*.json` file of `dir` (flat, deflated), the
 * layout of OSV's per-ecosystem `all.zip`. Returns the number of records.
 */
export async function zipDirectory(dir: string, path: string): Promise<number> {
  const zip = new yazl.ZipFile();
  const names = (await readdir(dir)).filter((n) => n.endsWith('.json')).sort();
  for (const name of names)
    zip.addBuffer(await readFile(join(dir, name)), name);
  zip.end();
  await pipeline(zip.outputStream, createWriteStream(path));
  return names.length;
}
