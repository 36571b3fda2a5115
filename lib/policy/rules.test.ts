import { describe, expect, it } from 'vitest';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseRules } from './rules.js';

const noFiles = (p: string): string => {
  throw new Error(`ENOENT ${p}`);
};

describe('parseRules', () => {
  it('parses the shipped example rules with defaults filled in', () => {
    const text = readFileSync(
      new URL('../../config/rules.example.yaml', import.meta.url),
      'utf8',
    );
    const rules = parseRules(text, noFiles);
    expect(Object.keys(rules.environments)).toEqual(['dev', 'test', 'prod']);
    expect(rules.environments.prod).toMatchObject({
      mode: 'enforce',
      signatures: { required: true, requiredSigners: [] },
      vulnerabilities: {
        maxSeverity: 'medium',
        unknownSeverityAs: 'high',
        countUnfixed: false,
        countUndetermined: false,
      },
    });
    expect(rules.version).toMatch(/^[a-f0-9]{16}$/);
  });

  it('versions rules by content, keys included', () => {
    const cosign = readFileSync(
      new URL(
        '../../../shared/fixtures/cosign/keys/cosign.pub',
        import.meta.url,
      ),
      'utf8',
    );
    const legacy = readFileSync(
      new URL(
        '../../../shared/fixtures/cosign/keys/legacy.pub',
        import.meta.url,
      ),
      'utf8',
    );
    const doc =
      'version: 1\nkeys: {k: {publicKeyFile: /k}}\nenvironments: {dev: {}}\n';
    const a = parseRules(doc, () => cosign);
    expect(parseRules(doc, () => legacy).version).not.toBe(a.version);
    expect(parseRules(doc, () => cosign).version).toBe(a.version);
  });

  it('reads key files and checks they hold public keys', () => {
    const pem = readFileSync(
      new URL(
        '../../../shared/fixtures/cosign/keys/cosign.pub',
        import.meta.url,
      ),
      'utf8',
    );
    const rules = parseRules(
      'version: 1\nkeys: {k: {publicKeyFile: /k.pub}}\nenvironments: {dev: {}}\n',
      () => pem,
    );
    expect(rules.keys).toEqual({ k: { publicKeyPem: pem } });
    expect(() =>
      parseRules(
        'version: 1\nkeys: {k: {publicKeyFile: /k.pub}}\nenvironments: {dev: {}}\n',
        () => 'garbage',
      ),
    ).toThrow(/keys\.k: not a PEM public key/);
    const { publicKey } = generateKeyPairSync('ed448');
    expect(() =>
      parseRules(
        'version: 1\nkeys: {k: {publicKeyFile: /k.pub}}\nenvironments: {dev: {}}\n',
        () => publicKey.export({ format: 'pem', type: 'spki' }).toString(),
      ),
    ).toThrow(/keys\.k: unsupported key type ed448/);
  });

  it('reports every problem at once', () => {
    const text =
      'version: 1\nkeys: {k: {publicKey: A, publicKeyFile: B}}\nenvironments:\n  Prod: {}\n  dev:\n    mode: strict\n    signatures: {requiredSigners: [ghost]}\n';
    try {
      parseRules(text, noFiles);
      expect.unreachable();
    } catch (err: unknown) {
      const problems = err as { code: string; details: { problems: string[] } };
      expect(problems.code).toBe('RULES_INVALID');
      expect(problems.details.problems).toHaveLength(3);
      expect(problems.details.problems.join('\n')).toMatch(
        /give exactly one of publicKey or publicKeyFile/,
      );
      expect(problems.details.problems.join('\n')).toMatch(
        /environments\.dev\.mode/,
      );
    }
  });

  it('refuses a required signer that is not a key', () => {
    try {
      parseRules(
        'version: 1\nenvironments:\n  dev:\n    signatures: {requiredSigners: [ghost]}\n',
        noFiles,
      );
      expect.unreachable();
    } catch (err: unknown) {
      expect(
        (err as { details: { problems: string[] } }).details.problems,
      ).toEqual([
        'environments.dev.signatures.requiredSigners: unknown signer "ghost" (not under keys, identities or notation)',
      ]);
    }
  });

  it('rejects an unreadable key file and broken YAML', () => {
    expect(() =>
      parseRules(
        'version: 1\nkeys: {k: {publicKeyFile: /nope}}\nenvironments: {dev: {}}\n',
        noFiles,
      ),
    ).toThrow(/cannot read \/nope/);
    expect(() => parseRules('version: [', noFiles)).toThrow(
      /invalid trust rules/,
    );
  });

  it('reads the fix and scan age limits, and names each bad one', () => {
    const env = (vulnerabilities: string) =>
      `version: 1\nenvironments:\n  prod:\n    vulnerabilities: ${vulnerabilities}\n`;
    expect(
      parseRules(
        env(
          '{maxFixableDays: {days: 30, minSeverity: high}, maxScanAgeHours: 168}',
        ),
        noFiles,
      ).environments.prod?.vulnerabilities,
    ).toMatchObject({
      maxFixableDays: { days: 30, minSeverity: 'high' },
      maxScanAgeHours: 168,
    });
    expect(
      parseRules(env('{maxFixableDays: {days: 7}}'), noFiles).environments.prod
        ?.vulnerabilities.maxFixableDays,
    ).toEqual({ days: 7, minSeverity: 'negligible' });
    try {
      parseRules(
        env(
          '{maxFixableDays: {days: 0, minSeverity: huge, weeks: 1}, maxScanAgeHours: -1}',
        ),
        noFiles,
      );
      expect.unreachable();
    } catch (err: unknown) {
      const problems = (err as { details: { problems: string[] } }).details
        .problems;
      expect(problems.map((p) => p.split(':')[0])).toEqual([
        'environments.prod.vulnerabilities.maxFixableDays.days',
        'environments.prod.vulnerabilities.maxFixableDays.minSeverity',
        // The unknown key `weeks`.
        'environments.prod.vulnerabilities.maxFixableDays',
        'environments.prod.vulnerabilities.maxScanAgeHours',
      ]);
    }
  });
});
