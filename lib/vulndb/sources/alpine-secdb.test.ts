import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isAlpineSecdb, parseAlpineSecdb } from './alpine-secdb.js';

const SECDB = fileURLToPath(
  new URL('../../../../shared/data/raw/alpine-secdb/', import.meta.url),
);
const branch = async (v: string): Promise<unknown> =>
  JSON.parse(await readFile(`${SECDB}${v}/main.json`, 'utf8'));

describe('parseAlpineSecdb', () => {
  it('turns each fixed version into a range of the origin package on its branch', async () => {
    const doc = await branch('v3.19');
    expect(isAlpineSecdb(doc)).toBe(true);
    const advisories = parseAlpineSecdb(doc);
    const apk = advisories.find((a) => a.id === 'ALPINE-CVE-2021-30139');
    expect(apk).toEqual({
      id: 'ALPINE-CVE-2021-30139',
      source: 'alpine-secdb/v3.19/main',
      modified: '1970-01-01T00:00:00Z',
      aliases: ['CVE-2021-30139'],
      related: [],
      severity: [],
      affected: [
        {
          ecosystem: 'Alpine:v3.19',
          name: 'apk-tools',
          ranges: [
            {
              type: 'ECOSYSTEM',
              events: [{ introduced: '0' }, { fixed: '2.12.5-r0' }],
            },
          ],
          versions: [],
        },
      ],
    });
  });

  it('skips "0" (never affected) and gives 111 ids, 273 entries over the three branches', async () => {
    let entries = 0;
    const ids = new Set<string>();
    for (const v of ['v3.18', 'v3.19', 'v3.20']) {
      for (const a of parseAlpineSecdb(await branch(v))) {
        ids.add(a.id);
        entries += a.affected.reduce((n, e) => n + e.ranges.length, 0);
      }
    }
    expect(ids.size).toBe(111);
    expect(entries).toBe(273);
    const v319 = parseAlpineSecdb(await branch('v3.19'));
    // busybox lists CVE-2021-42373 under "0" on v3.19: never affected there.
    expect(v319.find((a) => a.id === 'ALPINE-CVE-2021-42373')).toBeUndefined();
  });

  it('keeps non-CVE ids and splits lines naming several ids', () => {
    const doc = {
      distroversion: 'v3.20',
      reponame: 'main',
      packages: [
        {
          pkg: {
            name: 'musl',
            secfixes: { '1.2.5-r1': ['ALPINE-13661', 'CVE-2025-1 CVE-2025-2'] },
          },
        },
      ],
    };
    expect(parseAlpineSecdb(doc).map((a) => [a.id, a.aliases])).toEqual([
      ['ALPINE-13661', []],
      ['ALPINE-CVE-2025-1', ['CVE-2025-1']],
      ['ALPINE-CVE-2025-2', ['CVE-2025-2']],
    ]);
  });

  it('refuses a malformed document', () => {
    expect(() =>
      parseAlpineSecdb({ distroversion: 'v3.19', packages: 'x' }),
    ).toThrow(/invalid Alpine secdb document/);
  });
});
