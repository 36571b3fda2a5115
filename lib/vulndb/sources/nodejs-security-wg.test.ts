import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  isNodejsCoreAdvisory,
  isNodejsCoreIndex,
  isNodejsNpmAdvisory,
  NODE_RUNTIME,
  parseNodejsCoreAdvisory,
  parseNodejsCoreIndex,
  parseNodejsNpmAdvisory,
} from './nodejs-security-wg.js';

const WG = fileURLToPath(
  new URL(
    '../../../../shared/data/raw/nodejs-security-wg/vuln/',
    import.meta.url,
  ),
);
const CORE_FILE_RE = /^\d+\.json$/;
const read = async (path: string): Promise<unknown> =>
  JSON.parse(await readFile(`${WG}${path}`, 'utf8'));

describe('Node.js security-wg npm advisories', () => {
  it('converts an advisory with its range, CVEs and CVSS vector', async () => {
    const json = await read('npm/516.json');
    expect(isNodejsNpmAdvisory(json)).toBe(true);
    const a = parseNodejsNpmAdvisory(json);
    expect(a).toMatchObject({
      id: 'NSWG-ECO-516',
      source: 'nodejs-security-wg',
      affected: [
        {
          ecosystem: 'npm',
          name: 'lodash',
          ranges: [
            {
              type: 'SEMVER',
              events: [{ introduced: '4.17.15' }, { fixed: '4.17.19' }],
            },
          ],
        },
      ],
    });
    const first = parseNodejsNpmAdvisory(await read('npm/1.json'));
    expect(first).toMatchObject({
      id: 'NSWG-ECO-1',
      aliases: ['CVE-2014-7205'],
      modified: '2016-04-28T00:00:00Z',
      published: '2014-09-27T00:00:00Z',
      severity: [
        {
          type: 'CVSS_V3',
          score: 'CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:L/A:N',
        },
      ],
    });
  });

  it('parses every shared npm and core advisory', async () => {
    const npm = (await readdir(`${WG}npm`)).filter((f) => f.endsWith('.json'));
    const core = (await readdir(`${WG}core`)).filter((f) =>
      CORE_FILE_RE.test(f),
    );
    expect([npm.length, core.length]).toEqual([378, 141]);
    for (const f of npm) {
      const a = parseNodejsNpmAdvisory(await read(`npm/${f}`));
      expect(a.id, f).toBe(`NSWG-ECO-${f.replace('.json', '')}`);
    }
    for (const f of core) {
      const json = await read(`core/${f}`);
      expect(isNodejsCoreAdvisory(json), f).toBe(true);
      const a = parseNodejsCoreAdvisory(json, `core/${f}`);
      expect(a.affected[0]).toMatchObject({ ...NODE_RUNTIME });
      expect(a.affected[0]?.ranges.length, f).toBeGreaterThan(0);
    }
  });

  it('reads core/index.json as the same advisories as the files', async () => {
    const index = await read('core/index.json');
    expect(isNodejsCoreIndex(index)).toBe(true);
    const all = parseNodejsCoreIndex(index);
    // The index lists more advisories than the copied files.
    expect(all).toHaveLength(171);
    const ten = all.find((a) => a.id === 'NSWG-COR-10');
    expect(ten).toEqual(
      parseNodejsCoreAdvisory(await read('core/10.json'), 'core/10.json'),
    );
    expect(isNodejsCoreIndex({ '1': { cve: [] } })).toBe(false);
  });

  it('names the runtime advisory by its file and keeps its severity word', async () => {
    const a = parseNodejsCoreAdvisory(
      await read('core/10.json'),
      '/x/core/10.json',
    );
    expect(a).toMatchObject({
      id: 'NSWG-COR-10',
      aliases: ['CVE-2016-5172'],
      databaseSpecific: { severity: 'medium' },
      affected: [
        {
          ecosystem: 'Node.js',
          name: 'node',
          ranges: [
            {
              type: 'SEMVER',
              events: [{ introduced: '6.0.0' }, { fixed: '7.0.0-0' }],
            },
          ],
        },
      ],
    });
  });

  it.each([
    [{ id: 1, module_name: 'x' }, 'vulnerable_versions'],
    [
      { id: 1, module_name: 'x', vulnerable_versions: '>=1 <<2' },
      'invalid version range',
    ],
  ])('refuses a malformed advisory %j', (json, problem) => {
    expect(() => parseNodejsNpmAdvisory(json)).toThrow(problem);
  });

  it('refuses a core advisory whose file name is not a number', () => {
    expect(() =>
      parseNodejsCoreAdvisory({ cve: [], vulnerable: '*' }, 'core/x.json'),
    ).toThrow(/<number>\.json/);
  });
});
