import { describe, expect, it } from 'vitest';
import { judgeDeniedPackages, readsPackages } from './evaluate-packages.js';
import { rulesSchema } from './rules.js';

const openssl = {
  ecosystem: 'Debian:12',
  name: 'openssl',
  version: '3.0.11-1~deb12u2',
};
const lodash = { ecosystem: 'npm', name: 'lodash', version: '4.17.15' };

describe('judgeDeniedPackages', () => {
  it.each([
    [[{ name: 'lodash' }], ['lodash@4.17.15']],
    [[{ name: 'lodash', ecosystem: 'PyPI' }], []],
    [
      [{ name: 'lodash', ecosystem: 'npm', below: '4.17.21' }],
      ['lodash@4.17.15'],
    ],
    [[{ name: 'lodash', from: '4.17.16' }], []],
    [[{ name: 'lodash', from: '4.0.0', below: '4.17.15' }], []],
    [
      [{ name: 'openssl', ecosystem: 'Debian', below: '3.0.12' }],
      ['openssl@3.0.11-1~deb12u2'],
    ],
    [[{ name: 'openssl', from: '3.0.11-1~deb12u3' }], []],
    [[], []],
  ])('%j', (denied, quoted) => {
    const reasons = judgeDeniedPackages([openssl, lodash], denied);
    expect(reasons.flatMap((r) => r.details?.packages as string[])).toEqual(
      quoted,
    );
  });

  it('denies a range over an ecosystem without a known version order (fail closed)', () => {
    const odd = { ecosystem: 'Unheard-Of', name: 'x', version: '1' };
    expect(
      judgeDeniedPackages([odd], [{ name: 'x', below: '0' }])[0]?.code,
    ).toBe('PACKAGE_DENIED');
  });

  it('tells whether any environment judges the package list', () => {
    const rules = (prod: unknown) =>
      rulesSchema.parse({ version: 1, environments: { dev: {}, prod } });
    expect(readsPackages(rules({}))).toBe(false);
    expect(readsPackages(rules({ packages: { deny: [] } }))).toBe(false);
    expect(readsPackages(rules({ packages: { deny: [{ name: 'x' }] } }))).toBe(
      true,
    );
    expect(readsPackages(rules({ licenses: { deny: ['GPL-3.0'] } }))).toBe(
      true,
    );
    expect(readsPackages(rules({ licenses: { allow: ['MIT'] } }))).toBe(true);
    expect(readsPackages(rules({ licenses: { unknown: 'deny' } }))).toBe(true);
    expect(readsPackages(rules({ licenses: { unknown: 'ignore' } }))).toBe(
      false,
    );
  });
});
