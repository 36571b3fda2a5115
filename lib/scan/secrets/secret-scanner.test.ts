/**
 * The secret rules on the shared fake-secret corpus (Trivy's scanner test
 * data, ../shared/data/secrets) against its expected detections: every
 * expected finding of a rule Customs has is found at its line, negatives
 * give nothing, and no finding ever carries the secret.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Digest } from '../../core/digest.js';
import { configSchema } from '../../config/schema.js';
import { createSecretScanner, type SecretScanner } from './secret-scanner.js';
import { SECRET_RULES } from './secret-rules.js';
import { shannonEntropy } from './scan-secrets.js';

const CORPUS = fileURLToPath(
  new URL('../../../../shared/data/secrets/', import.meta.url),
);
const LAYER = `sha256:${'a'.repeat(64)}` as Digest;

interface Expected {
  files: Record<
    string,
    {
      kind: 'positive' | 'negative' | 'trivy-config';
      primary?: string;
      cases: Array<{
        upstream_test_case: string;
        expected_findings: Array<{ rule_id: string; start_line: number }>;
      }>;
    }
  >;
}

function loadExpected(): Expected {
  try {
    return JSON.parse(
      readFileSync(`${CORPUS}EXPECTED.json`, 'utf8'),
    ) as Expected;
  } catch (err: unknown) {
    throw new Error(
      `the fake-secret corpus is missing: put ../shared (with data/secrets) beside this checkout`,
      { cause: err },
    );
  }
}

const defaults = configSchema.parse({ version: 1 }).scan.secrets;
const scanner = createSecretScanner(defaults) as SecretScanner;
const OURS = new Set(SECRET_RULES.map((r) => r.id));

function scanCorpusFile(name: string) {
  const content = readFileSync(`${CORPUS}${name}`);
  const file = {
    path: `srv/app/${name}`,
    sizeBytes: content.length,
    mode: 0o644,
  };
  return scanner.wants(file) ? scanner.scan(file, content, LAYER) : [];
}

const expected = loadExpected();
const corpus = Object.entries(expected.files).filter(
  ([, f]) => f.kind !== 'trivy-config',
);

describe('secret rules on the fake-secret corpus', () => {
  it.each(corpus)('%s gives its expected detections', (name, entry) => {
    const primary = entry.cases.find(
      (c) => c.upstream_test_case === entry.primary,
    );
    const want = primary?.expected_findings ?? [];
    const got = scanCorpusFile(name).map((f) => `${f.ruleId}:${f.line}`);
    // Rules of Trivy that Customs also has must be found exactly.
    const mustFind = want
      .filter((f) => OURS.has(f.rule_id))
      .map((f) => `${f.rule_id}:${f.start_line}`);
    // A vendor rule Customs lacks may be covered by the generic rule, at its line.
    const mayFind = want
      .filter((f) => !OURS.has(f.rule_id))
      .map((f) => `generic-secret-assignment:${f.start_line}`);
    expect(got.filter((g) => !mayFind.includes(g)).sort()).toEqual(
      [...mustFind].sort(),
    );
  });

  it('covers the rule families the corpus has and Customs promises', () => {
    const found = new Set(
      corpus.flatMap(([name]) => scanCorpusFile(name).map((f) => f.ruleId)),
    );
    for (const id of [
      'private-key',
      'aws-access-key-id',
      'aws-secret-access-key',
      'azure-storage-account-key',
      'azure-sas-token',
      'azure-devops-pat',
      'github-pat',
      'github-fine-grained-pat',
      'github-app-token',
      'dockerconfig-secret',
    ])
      expect(found, id).toContain(id);
  });

  it('never returns a secret: excerpts are masked', () => {
    const content = readFileSync(`${CORPUS}aws-secrets.txt`);
    const findings = scanCorpusFile('aws-secrets.txt');
    expect(findings.length).toBeGreaterThan(0);
    const json = JSON.stringify(findings);
    expect(json).not.toContain('AKIA0123456789ABCDEF');
    expect(json).not.toContain('12ASD34qwe56CXZ78tyH10Tna543VBokN85RHCas');
    expect(json).toContain('*****');
    expect(content.toString()).toContain('AKIA0123456789ABCDEF');
  });
});

describe('rules beyond the corpus (fake values written here)', () => {
  const cases: Array<[string, string]> = [
    ['gcp-api-key', `key = "AIza${'Sy0aB1cD2eF3gH4iJ5kL6mN7oP8qR9sT0uV'}"`],
    ['gitlab-token', `TOKEN=glpat-${'x1Y2z3A4b5C6d7E8f9G0'}`],
    [
      'slack-token',
      `SLACK=xoxb-123456789012-123456789012-${'aB3dE5gH7jK9mN1pQ3sT5vW7'}`,
    ],
    [
      'npm-access-token',
      `//registry.npmjs.org/:_authToken=npm_${'aB3dE5gH7jK9mN1pQ3sT5vW7yZ9bC1dE3fG5'}`,
    ],
    [
      'pypi-upload-token',
      `password = pypi-AgEIcHlwaS5vcmc${'CJDk3ZjJmNWEtNzY0Yy00ZjQ2LWJhZjktOTc1ZGI3Njk2YzBjAAIqWzMsImQ'}`,
    ],
    [
      'dockerconfig-secret',
      `{"auths":{"registry.example.org":{"auth":"${'dXNlcjpwYXNzd29yZDEyMw=='}"}}}`,
    ],
    ['generic-secret-assignment', `DB_PASSWORD="${'q8Zr2Lx9Vm4Tp7Wn3Ks6'}"`],
  ];
  it.each(cases)('%s', (rule, line) => {
    const content = Buffer.from(`# config\n${line}\n`);
    const file = {
      path: 'etc/app.conf',
      sizeBytes: content.length,
      mode: 0o644,
    };
    const found = scanner.scan(file, content, LAYER);
    expect(found.map((f) => [f.ruleId, f.line])).toContainEqual([rule, 2]);
  });

  it('skips binary files, huge files, allowed paths and allowed rules', () => {
    const secret = Buffer.from(
      'GITHUB_PAT=ghp_012345678901234567890123456789abcdef\n',
    );
    const file = {
      path: 'etc/app.conf',
      sizeBytes: secret.length,
      mode: 0o644,
    };
    expect(scanner.scan(file, secret, LAYER)).toHaveLength(1);
    expect(
      scanner.scan(file, Buffer.concat([Buffer.from([0]), secret]), LAYER),
    ).toEqual([]);
    expect(
      scanner.wants({ ...file, sizeBytes: defaults.maxFileBytes + 1 }),
    ).toBe(false);
    expect(
      scanner.wants({ ...file, path: 'usr/share/doc/app/README.md' }),
    ).toBe(false);
    const noGithub = createSecretScanner({
      ...defaults,
      allowRules: ['github-pat'],
    });
    expect(noGithub?.scan(file, secret, LAYER)).toEqual([]);
    expect(
      createSecretScanner({ ...defaults, enabled: false }),
    ).toBeUndefined();
  });

  it('ignores low-entropy words and placeholders', () => {
    expect(shannonEntropy('aaaaaaaaaaaaaaaa')).toBe(0);
    const content = Buffer.from(
      'password = "changemechangeme"\naws_secret_key=AKIAIOSFODNN7EXAMPLE\n',
    );
    const file = {
      path: 'etc/app.conf',
      sizeBytes: content.length,
      mode: 0o644,
    };
    expect(scanner.scan(file, content, LAYER)).toEqual([]);
  });
});
