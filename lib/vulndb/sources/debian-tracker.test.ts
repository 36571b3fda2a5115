import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Advisory, AffectedPackage } from '../../core/advisory.js';
import {
  DEBIAN_RELEASES,
  DEBIAN_TRACKER_MODIFIED,
  debianEcosystemForCodename,
  type DebianTrackerOptions,
  parseDebianTrackerList,
} from './debian-tracker.js';

const DATA = new URL('../../../../shared/data/', import.meta.url);
const EXCERPT = fileURLToPath(
  new URL('raw/debian-security-tracker/CVE-list.excerpt', DATA),
);

const ONLY_BOOKWORM = { releases: { bookworm: '12' } };

/** List text; annotations come without their tab, `!` marks a raw line. */
function list(...lines: string[]): string {
  const raw = (l: string): string =>
    l.startsWith('!') ? l.slice(1) : `\t${l}`;
  return lines.map((l) => (l.startsWith('CVE-') ? l : raw(l))).join('\n');
}

function entry(
  name: string,
  release: string,
  events: AffectedPackage['ranges'][number]['events'],
  databaseSpecific: Record<string, unknown>,
): AffectedPackage {
  return {
    ecosystem: `Debian:${release}`,
    name,
    ranges: [{ type: 'ECOSYSTEM', events }],
    versions: [],
    databaseSpecific,
  };
}

function only(
  text: string,
  releases: DebianTrackerOptions = ONLY_BOOKWORM,
): Advisory {
  const { advisories, warnings } = parseDebianTrackerList(text, releases);
  expect(warnings).toEqual([]);
  expect(advisories).toHaveLength(1);
  return advisories[0]!;
}

describe('parseDebianTrackerList', () => {
  it('turns one entry into an OSV-style advisory', () => {
    const text = list(
      'CVE-2025-8058 (The regcomp function in the GNU C library ...)',
      '{DSA-1234-1 DLA-5678-1}',
      '- glibc 2.41-11 (bug #1109803)',
      '[bookworm] - glibc 2.36-9+deb12u13',
      '[bullseye] - glibc <postponed> (Minor issue)',
    );
    const releases = { bullseye: '11', bookworm: '12', trixie: '13' };
    expect(parseDebianTrackerList(text, { releases })).toEqual({
      warnings: [],
      advisories: [
        {
          id: 'DEBIAN-CVE-2025-8058',
          source: 'debian-tracker',
          modified: DEBIAN_TRACKER_MODIFIED,
          aliases: ['CVE-2025-8058'],
          related: ['DSA-1234-1', 'DLA-5678-1'],
          summary: 'The regcomp function in the GNU C library ...',
          severity: [],
          affected: [
            entry('glibc', '11', [{ introduced: '0' }], {
              status: 'postponed',
              note: 'Minor issue',
            }),
            entry(
              'glibc',
              '12',
              [{ introduced: '0' }, { fixed: '2.36-9+deb12u13' }],
              { status: 'fixed' },
            ),
            entry('glibc', '13', [{ introduced: '0' }, { fixed: '2.41-11' }], {
              status: 'fixed',
              bugs: ['1109803'],
            }),
          ],
        },
      ],
    });
  });

  it('gives a release without its own line the unstable line', () => {
    const advisory = only(
      list('CVE-2023-45853 (MiniZip ...)', '- zlib 1:1.3.dfsg-2 (bug #1)'),
    );
    expect(advisory.affected).toEqual([
      entry('zlib', '12', [{ introduced: '0' }, { fixed: '1:1.3.dfsg-2' }], {
        status: 'fixed',
        bugs: ['1'],
      }),
    ]);
  });

  it.each([
    'no-dsa',
    'postponed',
    'ignored',
    'end-of-life',
    'unfixed',
    'removed',
  ])('maps <%s> to an open range that keeps the tag as status', (tag) => {
    const advisory = only(list('CVE-2020-0001', `- foo <${tag}> (Why not)`));
    expect(advisory.affected).toEqual([
      entry('foo', '12', [{ introduced: '0' }], {
        status: tag,
        note: 'Why not',
      }),
    ]);
  });

  it('marks <undetermined> as status undetermined', () => {
    const advisory = only(
      list('CVE-2025-8941 (pam ...)', '- pam <undetermined>'),
    );
    expect(advisory.affected).toEqual([
      entry('pam', '12', [{ introduced: '0' }], { status: 'undetermined' }),
    ]);
  });

  it.each(['not-affected', 'itp'])('gives no entry for <%s>', (tag) => {
    const advisory = only(
      list('CVE-2020-0001', `- foo <unfixed>`, `[bookworm] - foo <${tag}> (x)`),
    );
    expect(advisory.affected).toEqual([]);
  });

  it('does not give a release line the unstable urgency', () => {
    const advisory = only(
      list(
        'CVE-2016-2781',
        '- coreutils 9.4-1 (low; bug #816320)',
        '[bookworm] - coreutils <ignored> (Minor issue)',
      ),
    );
    expect(advisory.affected[0]?.databaseSpecific).toEqual({
      status: 'ignored',
      note: 'Minor issue',
    });
  });

  it('ignores [experimental] lines and releases it does not cover', () => {
    const advisory = only(
      list(
        'CVE-2025-6141',
        '[experimental] - ncurses 6.5+20251115-1',
        '- ncurses 6.5+20251115-2',
        '[wheezy] - ncurses <no-dsa> (Minor issue)',
      ),
    );
    expect(advisory.affected).toEqual([
      entry(
        'ncurses',
        '12',
        [{ introduced: '0' }, { fixed: '6.5+20251115-2' }],
        { status: 'fixed' },
      ),
    ]);
  });

  it('emits entries with no package line with empty affected', () => {
    const { advisories, warnings } = parseDebianTrackerList(
      list(
        'CVE-2023-45918 (ncurses 6.4-20230610 has ...)',
        'TODO: check',
        'CVE-2025-45582 (GNU Tar ...)',
        'NOTE: Disputed tar issue',
        'CVE-2021-0001',
        'RESERVED',
        'CVE-2021-0002 (Something in Windows)',
        'NOT-FOR-US: Microsoft',
        'CVE-2021-0003',
        'REJECTED',
      ),
    );
    expect(warnings).toEqual([]);
    expect(advisories.map((a) => [a.id, a.affected])).toEqual([
      ['DEBIAN-CVE-2023-45918', []],
      ['DEBIAN-CVE-2025-45582', []],
      ['DEBIAN-CVE-2021-0001', []],
      ['DEBIAN-CVE-2021-0002', []],
      ['DEBIAN-CVE-2021-0003', []],
    ]);
    expect(advisories[3]?.databaseSpecific).toEqual({ notForUs: 'Microsoft' });
    expect(advisories.map((a) => a.withdrawn)).toEqual([
      ...Array<undefined>(4).fill(undefined),
      DEBIAN_TRACKER_MODIFIED,
    ]);
  });

  it('warns about malformed lines with their number and carries on', () => {
    const text = list(
      '- orphan 1.0',
      'CVE-2024-0001',
      '- good 1.0-1',
      '- bad <weird-tag>',
      'FOO: bar',
      '- good 2.0-1',
      '!CVE-2024-XXXX [not assigned yet]',
      '- skipped 1.0',
      '!this is no header',
      '- skipped 1.0',
      'CVE-2024-0001 (again)',
      '- skipped 1.0',
      'CVE-2024-0002',
      '- fine <unfixed>',
    );
    const { advisories, warnings } = parseDebianTrackerList(
      text,
      ONLY_BOOKWORM,
    );
    expect(warnings).toEqual([
      { line: 1, message: 'annotation before any entry header' },
      { line: 4, message: 'unknown tag <weird-tag> for bad' },
      { line: 5, message: 'unknown annotation: FOO: bar' },
      {
        line: 6,
        message: 'second unstable line for good ignored (first on line 3)',
      },
      { line: 7, message: 'entry without a CVE id; entry skipped' },
      {
        line: 9,
        message: 'malformed entry header: this is no header; entry skipped',
      },
      { line: 11, message: 'second entry for CVE-2024-0001; entry skipped' },
    ]);
    expect(
      advisories.map((a) => [a.id, a.affected.map((p) => p.name)]),
    ).toEqual([
      ['DEBIAN-CVE-2024-0001', ['good']],
      ['DEBIAN-CVE-2024-0002', ['fine']],
    ]);
  });

  it('accepts CRLF line ends and blank lines', () => {
    const advisory = only('CVE-2024-0001 (x)\r\n\r\n\t- foo <unfixed>\r\n');
    expect(advisory.summary).toBe('x');
    expect(advisory.affected.map((a) => a.name)).toEqual(['foo']);
  });

  it('covers every known release by default, sid on request', () => {
    const text = list('CVE-2024-0001', '- foo <unfixed>');
    const byDefault = only(text, {});
    expect(byDefault.affected.map((a) => a.ecosystem)).toEqual([
      'Debian:10',
      'Debian:11',
      'Debian:12',
      'Debian:13',
      'Debian:14',
    ]);
    const withSid = only(text, {
      releases: { ...DEBIAN_RELEASES, sid: 'sid' },
    });
    expect(withSid.affected.at(-1)?.ecosystem).toBe('Debian:sid');
  });

  it('parses the shared tracker excerpt without warnings, deterministically', async () => {
    const text = await readFile(EXCERPT, 'utf8');
    const first = parseDebianTrackerList(text);
    expect(first.warnings).toEqual([]);
    expect(first.advisories).toHaveLength(45);
    const headers = text.split('\n').filter((l) => l.startsWith('CVE-'));
    expect(first.advisories.map((a) => a.aliases[0])).toEqual(
      headers.map((h) => h.split(' ')[0]),
    );
    expect(parseDebianTrackerList(text)).toEqual(first);
  });
});

describe('debianEcosystemForCodename', () => {
  it.each([
    ['buster', 'Debian:10'],
    ['bullseye', 'Debian:11'],
    ['bookworm', 'Debian:12'],
    ['Trixie', 'Debian:13'],
    ['forky', 'Debian:14'],
    ['wheezy', undefined],
    ['constructor', undefined],
    ['', undefined],
  ])('maps %j to %j', (codename, ecosystem) => {
    expect(debianEcosystemForCodename(codename)).toBe(ecosystem);
  });

  it('uses a given table', () => {
    expect(debianEcosystemForCodename('sid', { sid: 'sid' })).toBe(
      'Debian:sid',
    );
  });
});
