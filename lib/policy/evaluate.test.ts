import { describe, expect, it } from 'vitest';
import type { Finding } from '../core/finding.js';
import { evaluate, type Evidence } from './evaluate.js';
import { rulesSchema } from './rules.js';

const rulesFor = (env: unknown) =>
  rulesSchema.parse({
    version: 1,
    keys: { release: { publicKey: 'x' } },
    environments: { e: env },
  }).environments.e!;

const finding = (over: Partial<Finding> = {}): Finding => ({
  advisoryId: 'DEBIAN-CVE-2023-1',
  aliases: ['CVE-2023-1'],
  ecosystem: 'Debian:12',
  packageName: 'zlib1g',
  packageVersion: '1',
  advisoryPackage: 'zlib',
  severity: 'high',
  status: 'affected',
  fixedVersion: '2',
  ...over,
});
const done = (over: Partial<Evidence> = {}): Evidence => ({
  scan: { status: 'done' },
  findings: [],
  signatures: [],
  ...over,
});
const verified = { status: 'verified' as const, signer: 'key:release' };

describe('evaluate', () => {
  it('is pending until the scan is done, and ineligible when it failed', () => {
    const rules = rulesFor({});
    expect(
      evaluate(done({ scan: { status: 'missing' } }), rules, []).status,
    ).toBe('pending');
    expect(
      evaluate(done({ scan: { status: 'running' } }), rules, []).status,
    ).toBe('pending');
    expect(
      evaluate(
        done({
          scan: {
            status: 'failed',
            errorCode: 'EXTRACT_PATH_ESCAPE',
            errorMessage: '../etc',
          },
        }),
        rules,
        [],
      ),
    ).toEqual({
      status: 'ineligible',
      reasons: [
        {
          code: 'SCAN_FAILED',
          message: 'scan failed: EXTRACT_PATH_ESCAPE: ../etc',
          details: { errorCode: 'EXTRACT_PATH_ESCAPE' },
        },
      ],
    });
  });

  it('counts findings above the maximum severity', () => {
    const rules = rulesFor({ vulnerabilities: { maxSeverity: 'medium' } });
    expect(
      evaluate(done({ findings: [finding({ severity: 'medium' })] }), rules, [])
        .status,
    ).toBe('eligible');
    const j = evaluate(
      done({
        findings: [finding(), finding({ advisoryId: 'GHSA-x', aliases: [] })],
      }),
      rules,
      [],
    );
    expect(j.status).toBe('ineligible');
    expect(j.reasons).toEqual([
      expect.objectContaining({
        code: 'SEVERITY_EXCEEDED',
        message: '2 vulnerabilities above medium: CVE-2023-1, GHSA-x',
        details: {
          maxSeverity: 'medium',
          advisories: ['CVE-2023-1', 'GHSA-x'],
          count: 2,
        },
      }),
    ]);
  });

  it('judges unknown severity at the configured level, never as low', () => {
    const unknown = done({ findings: [finding({ severity: 'unknown' })] });
    expect(
      evaluate(
        unknown,
        rulesFor({
          vulnerabilities: { maxSeverity: 'medium', unknownSeverityAs: 'high' },
        }),
        [],
      ).status,
    ).toBe('ineligible');
    expect(
      evaluate(
        unknown,
        rulesFor({
          vulnerabilities: { maxSeverity: 'high', unknownSeverityAs: 'high' },
        }),
        [],
      ).status,
    ).toBe('eligible');
    expect(
      evaluate(
        unknown,
        rulesFor({ vulnerabilities: { maxSeverity: 'low' } }),
        [],
      ).status,
    ).toBe('ineligible');
  });

  it('ignores unfixed and undetermined findings when told to', () => {
    const rules = rulesFor({
      vulnerabilities: { maxSeverity: 'low', countUnfixed: false },
    });
    expect(
      evaluate(
        done({ findings: [finding({ fixedVersion: undefined })] }),
        rules,
        [],
      ).status,
    ).toBe('eligible');
    expect(
      evaluate(
        done({ findings: [finding({ status: 'undetermined' })] }),
        rules,
        [],
      ).status,
    ).toBe('eligible');
    const counting = rulesFor({
      vulnerabilities: { maxSeverity: 'low', countUndetermined: true },
    });
    expect(
      evaluate(
        done({ findings: [finding({ status: 'undetermined' })] }),
        counting,
        [],
      ).status,
    ).toBe('ineligible');
  });

  it('requires signatures: any trusted key, or named signers', () => {
    const any = rulesFor({ signatures: { required: true } });
    expect(evaluate(done(), any, []).reasons[0]?.code).toBe(
      'SIGNATURE_UNVERIFIABLE',
    );
    expect(evaluate(done(), any, ['release']).reasons[0]?.code).toBe(
      'SIGNATURE_MISSING',
    );
    expect(
      evaluate(
        done({
          signatures: [
            {
              status: 'unknown_key',
              reason: 'no trusted key verifies this signature',
            },
          ],
        }),
        any,
        ['release'],
      ).reasons[0],
    ).toMatchObject({
      code: 'SIGNATURE_INVALID',
      message: expect.stringMatching(/1 found: no trusted key verifies/),
    });
    expect(
      evaluate(done({ signatures: [verified] }), any, ['release']),
    ).toEqual({
      status: 'eligible',
      reasons: [
        {
          code: 'POLICY_PASSED',
          message:
            '0 finding(s), none counted above critical; signed by key:release',
        },
      ],
    });
    const named = rulesFor({
      signatures: { required: true, requiredSigners: ['release'] },
    });
    expect(evaluate(done(), named, ['release']).reasons).toEqual([
      {
        code: 'SIGNATURE_MISSING',
        message: 'unsigned: a signature by "release" is required',
        details: { signer: 'release' },
      },
    ]);
    expect(
      evaluate(done({ signatures: [verified] }), named, ['release']).status,
    ).toBe('eligible');
  });

  it('serves in warn and audit mode but keeps the reasons', () => {
    const j = evaluate(
      done({ findings: [finding({ severity: 'critical' })] }),
      rulesFor({ mode: 'warn', vulnerabilities: { maxSeverity: 'high' } }),
      [],
    );
    expect(j.status).toBe('eligible');
    expect(j.reasons.map((r) => r.code)).toEqual([
      'WARN_MODE',
      'SEVERITY_EXCEEDED',
    ]);
  });

  it('judges an index by its platforms', () => {
    const rules = rulesFor({});
    const child = (status: 'eligible' | 'ineligible' | 'pending') => ({
      digest: `sha256:${'a'.repeat(64)}` as const,
      platform: 'linux/arm64',
      status,
      reasons: [],
    });
    expect(
      evaluate(done({ children: [child('eligible')] }), rules, []).status,
    ).toBe('eligible');
    expect(
      evaluate(done({ children: [child('pending')] }), rules, []).status,
    ).toBe('pending');
    expect(
      evaluate(done({ children: [child('ineligible')] }), rules, []).reasons[0],
    ).toMatchObject({
      code: 'PLATFORM_INELIGIBLE',
      message: expect.stringMatching(/^platform linux\/arm64 is ineligible/),
    });
  });
});
