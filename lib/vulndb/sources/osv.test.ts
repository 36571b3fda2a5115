import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VulnDataError } from '../../core/errors.js';
import { parseOsvRecord, readOsvDirectory } from './osv.js';

const OSV_DIR = fileURLToPath(
  new URL('../../../../shared/data/osv/', import.meta.url),
);

const MINIMAL = { id: 'OSV-1', modified: '2024-01-01T00:00:00Z' };

function withRange(events: unknown[], extra: Record<string, unknown> = {}) {
  return {
    ...MINIMAL,
    affected: [
      {
        package: { ecosystem: 'npm', name: 'x' },
        ranges: [{ type: 'SEMVER', events, ...extra }],
      },
    ],
  };
}

/** The VulnDataError `fn` throws (fails the test when it throws none). */
function thrown(fn: () => unknown): VulnDataError {
  try {
    fn();
  } catch (err: unknown) {
    if (err instanceof VulnDataError) return err;
    throw err;
  }
  throw new Error('expected a VulnDataError');
}

describe('parseOsvRecord', () => {
  it('accepts a record with only id and modified', () => {
    expect(parseOsvRecord(MINIMAL)).toEqual({
      id: 'OSV-1',
      source: 'osv',
      modified: '2024-01-01T00:00:00Z',
      aliases: [],
      related: [],
      severity: [],
      affected: [],
    });
  });

  it('converts every field the matcher uses', () => {
    const record = {
      schema_version: '1.7.0',
      id: 'GHSA-aaaa-bbbb-cccc',
      modified: '2024-01-02T03:04:05.123456Z',
      published: '2024-01-01T00:00:00Z',
      withdrawn: '2024-02-01T00:00:00Z',
      aliases: ['CVE-2024-1'],
      related: ['CVE-2024-2', { type: 'SIMILAR_TO', id: 'CVE-2024-3' }],
      upstream: ['CVE-2024-4'],
      summary: 's',
      details: 'd',
      severity: [
        {
          type: 'CVSS_V3',
          score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
        },
      ],
      references: [{ type: 'WEB', url: 'https://example.org' }],
      credits: [{ name: 'someone' }],
      affected: [
        {
          package: { ecosystem: 'npm', name: 'lodash', purl: 'pkg:npm/lodash' },
          severity: [{ type: 'Ubuntu', score: 'medium' }],
          ranges: [
            {
              type: 'SEMVER',
              events: [{ introduced: '0' }, { fixed: '4.17.21' }],
              database_specific: { source: 'x' },
            },
          ],
          versions: ['4.17.20'],
          ecosystem_specific: { imports: [] },
          database_specific: { severity: 'HIGH' },
        },
        {
          ranges: [
            {
              type: 'GIT',
              repo: 'https://g/r',
              events: [{ introduced: 'abc' }],
            },
          ],
        },
      ],
      database_specific: { github_reviewed: true },
    };
    expect(parseOsvRecord(record, 'ghsa')).toEqual({
      id: 'GHSA-aaaa-bbbb-cccc',
      source: 'ghsa',
      modified: '2024-01-02T03:04:05.123456Z',
      published: '2024-01-01T00:00:00Z',
      withdrawn: '2024-02-01T00:00:00Z',
      aliases: ['CVE-2024-1'],
      related: ['CVE-2024-2', 'CVE-2024-3'],
      summary: 's',
      details: 'd',
      severity: [
        {
          type: 'CVSS_V3',
          score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
        },
      ],
      affected: [
        {
          ecosystem: 'npm',
          name: 'lodash',
          purl: 'pkg:npm/lodash',
          severity: [{ type: 'Ubuntu', score: 'medium' }],
          ranges: [
            {
              type: 'SEMVER',
              events: [{ introduced: '0' }, { fixed: '4.17.21' }],
            },
          ],
          versions: ['4.17.20'],
          ecosystemSpecific: { imports: [] },
          databaseSpecific: { severity: 'HIGH' },
        },
      ],
      databaseSpecific: { github_reviewed: true },
    });
  });

  it('accepts null where the JSON schema allows it', () => {
    const record = {
      ...MINIMAL,
      aliases: null,
      severity: null,
      affected: null,
    };
    expect(parseOsvRecord(record).affected).toEqual([]);
  });

  it.each([
    ['not an object', 'nope', '(record)'],
    ['null', null, '(record)'],
    ['an array', [MINIMAL], '(record)'],
    ['no id', { modified: MINIMAL.modified }, 'id'],
    ['an empty id', { ...MINIMAL, id: '' }, 'id'],
    ['no modified', { id: 'X' }, 'modified'],
    ['a date without time', { ...MINIMAL, modified: '2024-01-01' }, 'modified'],
    ['aliases not strings', { ...MINIMAL, aliases: [1] }, 'aliases[0]'],
    [
      'severity without score',
      { ...MINIMAL, severity: [{ type: 'CVSS_V3' }] },
      'severity[0].score',
    ],
    [
      'a package without name',
      { ...MINIMAL, affected: [{ package: { ecosystem: 'npm' } }] },
      'affected[0].package.name',
    ],
    [
      'an event with two keys',
      withRange([{ introduced: '0', fixed: '1' }]),
      'affected[0].ranges[0].events[0]',
    ],
    [
      'an event with no key',
      withRange([{ introduced: '0' }, {}]),
      'affected[0].ranges[0].events[1]',
    ],
    [
      'an event version not a string',
      withRange([{ introduced: 0 }]),
      'affected[0].ranges[0].events[0].introduced',
    ],
    ['no events', withRange([]), 'affected[0].ranges[0].events'],
    [
      'no introduced event',
      withRange([{ fixed: '1' }]),
      'affected[0].ranges[0].events',
    ],
    [
      'both fixed and last_affected',
      withRange([{ introduced: '0' }, { fixed: '1' }, { last_affected: '2' }]),
      'affected[0].ranges[0].events',
    ],
    [
      'a GIT range without repo',
      withRange([{ introduced: 'a' }], { type: 'GIT' }),
      'affected[0].ranges[0].repo',
    ],
    [
      'an unknown range type',
      withRange([{ introduced: '0' }], { type: 'DATE' }),
      'affected[0].ranges[0].type',
    ],
  ])('rejects %s with ADVISORY_INVALID naming %s', (_what, json, path) => {
    const err = thrown(() => parseOsvRecord(json));
    expect(err.code).toBe('ADVISORY_INVALID');
    const issues = err.details?.['issues'] as string[];
    expect(issues.some((i) => i.startsWith(`${path}: `))).toBe(true);
    expect(err.message).toContain(path);
  });

  it('names the record and counts problems beyond the first three', () => {
    const err = thrown(() =>
      parseOsvRecord({
        id: 'BAD-1',
        modified: 'x',
        published: 'y',
        withdrawn: 'z',
        aliases: 'w',
      }),
    );
    expect(err.message).toMatch(
      /^invalid OSV record BAD-1: modified: .* \(\+1 more\)$/,
    );
  });
});

describe('readOsvDirectory', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'customs-osv-'));
    await mkdir(join(dir, 'b', 'deep'), { recursive: true });
    await mkdir(join(dir, 'a'));
    await writeFile(
      join(dir, 'b', 'deep', 'OSV-2.json'),
      JSON.stringify({ ...MINIMAL, id: 'OSV-2' }),
    );
    await writeFile(
      join(dir, 'a', 'OSV-1.json'),
      `\uFEFF${JSON.stringify(MINIMAL)}`,
    );
    await writeFile(join(dir, 'a', 'broken.json'), '{"id": ');
    await writeFile(join(dir, 'Z-invalid.json'), JSON.stringify({ id: 'Z' }));
    await writeFile(join(dir, 'README.md'), '# not a record');
    await writeFile(join(dir, 'a', 'PROVENANCE.tsv'), 'id\n');
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('yields every json file in sorted order, errors beside advisories', async () => {
    const seen: Array<[string, string]> = [];
    for await (const r of readOsvDirectory(dir)) {
      seen.push([
        r.file.slice(dir.length + 1),
        r.advisory?.id ?? r.error?.code ?? '?',
      ]);
    }
    expect(seen).toEqual([
      ['Z-invalid.json', 'ADVISORY_INVALID'],
      [join('a', 'OSV-1.json'), 'OSV-1'],
      [join('a', 'broken.json'), 'ADVISORY_INVALID'],
      [join('b', 'deep', 'OSV-2.json'), 'OSV-2'],
    ]);
  });

  it('throws SOURCE_UNREADABLE for a missing directory', async () => {
    const walk = readOsvDirectory(join(dir, 'missing'));
    await expect(walk.next()).rejects.toMatchObject({
      name: 'VulnDataError',
      code: 'SOURCE_UNREADABLE',
    });
  });

  it('parses every record of shared/data/osv', async () => {
    const listed = (await readdir(OSV_DIR, { recursive: true })).filter((f) =>
      f.endsWith('.json'),
    );
    const perFolder = new Map<string, number>();
    const errors: string[] = [];
    let count = 0;
    for await (const r of readOsvDirectory(OSV_DIR)) {
      count++;
      if (r.error !== undefined) errors.push(`${r.file}: ${r.error.message}`);
      const top = r.file.slice(OSV_DIR.length).split(/[\\/]/)[0] ?? '';
      perFolder.set(top, (perFolder.get(top) ?? 0) + 1);
    }
    expect(errors).toEqual([]);
    expect(count).toBe(listed.length);
    expect(Object.fromEntries(perFolder)).toEqual({
      almalinux: 900,
      ghsa: 8,
      go: 1500,
      malicious: 13,
      pypi: 1500,
    });
  });
});
