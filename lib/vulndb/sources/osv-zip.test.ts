import { createWriteStream } from 'node:fs';
import {
  mkdtemp,
  readdir,
  readFile,
  rm,
  stat,
  truncate,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pipeline } from 'node:stream/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import yazl from 'yazl';
import { readOsvZip } from './osv-zip.js';

const GHSA = fileURLToPath(
  new URL('../../../../shared/data/osv/ghsa/', import.meta.url),
);

/** Writes a zip of `entries` the way OSV publishes all.zip (deflated, flat). */
async function writeZip(
  path: string,
  entries: Array<[string, Buffer]>,
): Promise<void> {
  const zip = new yazl.ZipFile();
  for (const [name, data] of entries) zip.addBuffer(data, name);
  zip.end();
  await pipeline(zip.outputStream, createWriteStream(path));
}

async function collect(path: string) {
  const out = [];
  for await (const r of readOsvZip(path)) out.push(r);
  return out;
}

describe('readOsvZip', () => {
  let dir: string;
  let good: string;
  let records: Array<[string, Buffer]>;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'customs-osv-zip-'));
    const names = (await readdir(GHSA))
      .filter((f) => f.endsWith('.json'))
      .sort();
    records = await Promise.all(
      names.map(
        async (n) => [n, await readFile(join(GHSA, n))] as [string, Buffer],
      ),
    );
    good = join(dir, 'all.zip');
    await writeZip(good, [
      ...records,
      ['README.txt', Buffer.from('not a record')],
    ]);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('yields every JSON entry as an advisory, skipping other entries', async () => {
    const results = await collect(good);
    expect(results.map((r) => r.advisory?.id)).toEqual(
      records.map(([n]) => n.replace('.json', '')),
    );
    expect(results.every((r) => r.file.startsWith(`${good}!GHSA-`))).toBe(true);
  });

  it('reports a malformed entry and goes on', async () => {
    const path = join(dir, 'bad-entry.zip');
    await writeZip(path, [
      ['BAD-1.json', Buffer.from('{"id": "BAD-1"}')],
      records[0]!,
    ]);
    const results = await collect(path);
    expect(results[0]).toMatchObject({
      file: `${path}!BAD-1.json`,
      error: { code: 'ADVISORY_INVALID' },
    });
    expect(results[1]?.advisory?.id).toBe(records[0]![0].replace('.json', ''));
  });

  it('fails a truncated archive', async () => {
    const path = join(dir, 'truncated.zip');
    await writeFile(path, await readFile(good));
    await truncate(path, Math.floor((await stat(path)).size / 2));
    await expect(collect(path)).rejects.toMatchObject({
      code: 'ARCHIVE_INVALID',
    });
  });

  it('fails an archive whose entry data was altered (CRC-32)', async () => {
    const path = join(dir, 'stored.zip');
    const zip = new yazl.ZipFile();
    zip.addBuffer(records[0]![1], records[0]![0], { compress: false });
    zip.end();
    await pipeline(zip.outputStream, createWriteStream(path));
    const bytes = await readFile(path);
    const at = bytes.indexOf('"id"');
    bytes[at + 1] = 'I'.charCodeAt(0); // flip one byte of the record
    await writeFile(path, bytes);
    await expect(collect(path)).rejects.toMatchObject({
      code: 'ARCHIVE_INVALID',
      message: expect.stringMatching(/CRC-32/),
    });
  });

  it('fails a file that is not a zip at all', async () => {
    const path = join(dir, 'not.zip');
    await writeFile(path, 'hello');
    await expect(collect(path)).rejects.toMatchObject({
      code: 'ARCHIVE_INVALID',
    });
  });
});
