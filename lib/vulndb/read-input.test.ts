import {
  copyFile,
  mkdir,
  mkdtemp,
  rm,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readInput, type SourceItem } from './read-input.js';

const DATA = fileURLToPath(new URL('../../../shared/data/', import.meta.url));
const TRACKER_JSON = fileURLToPath(
  new URL('./sources/testdata/debian-tracker.json', import.meta.url),
);

async function read(path: string): Promise<SourceItem[]> {
  const items: SourceItem[] = [];
  for await (const item of readInput(path)) items.push(item);
  return items;
}

const ids = (items: SourceItem[]) =>
  items.flatMap((i) => ('advisory' in i ? [i.advisory.id] : []));
const warnings = (items: SourceItem[]) =>
  items.flatMap((i) => ('warning' in i ? [i.warning] : []));

describe('readInput', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'customs-read-input-'));
    await mkdir(join(dir, 'mixed', 'deeper'), { recursive: true });
    await copyFile(
      join(DATA, 'osv/ghsa/GHSA-35jh-r3h4-6jhm.json'),
      join(dir, 'mixed', 'GHSA-35jh-r3h4-6jhm.json'),
    );
    await copyFile(
      join(DATA, 'raw/alpine-secdb/v3.20/main.json'),
      join(dir, 'mixed', 'deeper', 'main.json'),
    );
    await copyFile(
      join(DATA, 'raw/nodejs-security-wg/vuln/npm/516.json'),
      join(dir, 'mixed', '516.json'),
    );
    await copyFile(TRACKER_JSON, join(dir, 'mixed', 'tracker.json'));
    await copyFile(
      join(DATA, 'raw/debian-security-tracker/CVE-list.excerpt'),
      join(dir, 'mixed', 'list'),
    );
    await writeFile(join(dir, 'mixed', 'PROVENANCE.tsv'), 'not data');
    await writeFile(join(dir, 'mixed', 'other.json'), '{"hello": "world"}');
    await writeFile(join(dir, 'mixed', 'broken.json'), '{');
    await symlink('/etc', join(dir, 'mixed', 'link'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('recognises each format in a directory by name and content', async () => {
    const items = await read(join(dir, 'mixed'));
    const got = ids(items);
    expect(got).toContain('NSWG-ECO-516');
    expect(got).toContain('GHSA-35jh-r3h4-6jhm');
    expect(got).toContain('DEBIAN-TEMP-0001234-A1B2C3'); // tracker JSON export
    expect(got).toContain('DEBIAN-CVE-2023-45853'); // tracker list
    expect(got.filter((id) => id.startsWith('ALPINE-')).length).toBeGreaterThan(
      50,
    );
    expect(
      warnings(items).map((w) => [
        w.file.replace(`${dir}/mixed/`, ''),
        w.message,
      ]),
    ).toEqual([
      ['broken.json', expect.stringMatching(/^invalid JSON/)],
      ['other.json', 'not a vulnerability record of a known format'],
      ['tracker.json', 'zlib CVE-2099-0001: not a tracker issue'],
    ]);
  });

  it('reads a single file of any kind, a tracker list even without its name', async () => {
    const copy = join(dir, 'excerpt.txt');
    await copyFile(
      join(DATA, 'raw/debian-security-tracker/CVE-list.excerpt'),
      copy,
    );
    expect(ids(await read(copy))).toHaveLength(45);
    expect(ids(await read(TRACKER_JSON))).toHaveLength(8);
  });

  it('refuses a single file of no known kind, and a missing path', async () => {
    const notes = join(dir, 'notes.txt');
    await writeFile(notes, 'hello');
    await expect(read(notes)).rejects.toMatchObject({ code: 'SOURCE_UNKNOWN' });
    await expect(read(join(dir, 'missing'))).rejects.toMatchObject({
      code: 'SOURCE_UNREADABLE',
    });
  });
});
