import { describe, expect, it } from 'vitest';
import { classifyLine, type PackageNote } from './debian-tracker-lines.js';

function note(over: Partial<PackageNote>): PackageNote {
  return {
    line: 7,
    release: undefined,
    pkg: 'foo',
    fixedVersion: undefined,
    tag: undefined,
    urgency: undefined,
    note: undefined,
    bugs: [],
    ...over,
  };
}

describe('classifyLine', () => {
  it.each([
    ['', { kind: 'blank' }],
    ['\t\r', { kind: 'blank' }],
    [
      'CVE-2025-6020 [pam_namespace: privilege escalation]',
      {
        kind: 'header',
        cve: 'CVE-2025-6020',
        summary: 'pam_namespace: privilege escalation',
      },
    ],
    [
      'CVE-2025-8058 (The regcomp function ...)',
      {
        kind: 'header',
        cve: 'CVE-2025-8058',
        summary: 'The regcomp function ...',
      },
    ],
    [
      'CVE-2023-50387',
      { kind: 'header', cve: 'CVE-2023-50387', summary: undefined },
    ],
    [
      'CVE-2023-50387 ()',
      { kind: 'header', cve: 'CVE-2023-50387', summary: undefined },
    ],
    [
      'CVE-2024-123456 (x)',
      { kind: 'header', cve: 'CVE-2024-123456', summary: 'x' },
    ],
    ['CVE-2025-XXXX [wall]', { kind: 'unassigned' }],
    ['TEMP-0000000-1A2B3C', { kind: 'unassigned' }],
    [
      'CVE-25-1 (x)',
      {
        kind: 'invalid-header',
        message: 'malformed entry header: CVE-25-1 (x)',
      },
    ],
    ['\tNOTE: anything', { kind: 'comment' }],
    ['\tTODO: check', { kind: 'comment' }],
    ['\tRESERVED', { kind: 'flag', flag: 'reserved' }],
    ['\tREJECTED', { kind: 'flag', flag: 'rejected' }],
    ['\tNOT-FOR-US: Foo CMS', { kind: 'not-for-us', text: 'Foo CMS' }],
    ['\t{DSA-1-1  DLA-2-1}', { kind: 'xref', ids: ['DSA-1-1', 'DLA-2-1'] }],
    ['\t{}', { kind: 'xref', ids: [] }],
    [
      '\tSOMETHING else',
      { kind: 'invalid', message: 'unknown annotation: SOMETHING else' },
    ],
  ])('classifies %j', (line, expected) => {
    expect(classifyLine(line, 7)).toEqual(expected);
  });

  it.each([
    ['\t- foo 1.0-1', note({ fixedVersion: '1.0-1' })],
    [
      '    - foo 1:1.0-1 (bug #42)',
      note({ fixedVersion: '1:1.0-1', bugs: ['42'] }),
    ],
    [
      '\t[bookworm] - foo <no-dsa> (Minor issue)',
      note({ release: 'bookworm', tag: 'no-dsa', note: 'Minor issue' }),
    ],
    [
      '\t- foo 1.0-1 (bug #962407; unimportant)',
      note({ fixedVersion: '1.0-1', urgency: 'unimportant', bugs: ['962407'] }),
    ],
    [
      '\t- foo 1.0-1 (low; bug #1; bug #2)',
      note({ fixedVersion: '1.0-1', urgency: 'low', bugs: ['1', '2'] }),
    ],
    [
      '\t- foo <unfixed> (medium**; Needs a backport; bug filed)',
      note({
        tag: 'unfixed',
        urgency: 'medium**',
        note: 'Needs a backport; bug filed',
      }),
    ],
    [
      '\t- foo <removed> (high; high)',
      note({ tag: 'removed', urgency: 'high', note: 'high' }),
    ],
    [
      '\t- foo <not-affected> (Vulnerable code not present (yet))',
      note({ tag: 'not-affected', note: 'Vulnerable code not present (yet)' }),
    ],
    [
      '\t[experimental] - foo 2.0~rc1-1',
      note({ release: 'experimental', fixedVersion: '2.0~rc1-1' }),
    ],
  ])('reads the package line %j', (line, expected) => {
    expect(classifyLine(line, 7)).toEqual({ kind: 'package', note: expected });
  });

  it.each([
    ['\t- foo', 'malformed package line: - foo'],
    ['\t- Foo 1.0', 'malformed package line: - Foo 1.0'],
    ['\t[Bookworm] - foo 1.0', 'malformed package line: [Bookworm] - foo 1.0'],
    ['\t- foo <fixed>', 'unknown tag <fixed> for foo'],
    [
      '\t- foo 1.0-',
      'invalid fixed version 1.0- for foo: revision number is empty',
    ],
  ])('rejects the package line %j', (line, message) => {
    expect(classifyLine(line, 7)).toEqual({ kind: 'invalid', message });
  });

  it('clips long text in messages', () => {
    const long = `\tXX ${'y'.repeat(200)}`;
    const parsed = classifyLine(long, 1);
    expect(parsed.kind).toBe('invalid');
    expect(parsed.kind === 'invalid' && parsed.message.length).toBeLessThan(
      120,
    );
  });
});
