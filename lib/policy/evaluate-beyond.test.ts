import { describe, expect, it } from 'vitest';
import type { Digest } from '../core/digest.js';
import type { ImageEvidence } from '../core/image-evidence.js';
import { judgeBeyond, type BeyondRules } from './evaluate-beyond.js';

const layer = `sha256:${'1'.repeat(64)}` as Digest;
const withSecret: ImageEvidence = {
  secrets: [
    {
      ruleId: 'github-pat',
      title: 'GitHub personal access token',
      severity: 'critical',
      path: 'srv/app/.env',
      layerDigest: layer,
      line: 3,
      excerpt: 'GITHUB_TOKEN=*****',
    },
  ],
};
const OFF: BeyondRules = {
  vulnerabilities: { denyKnownExploitedWithFix: false },
  secrets: { deny: false, ignoreRules: [] },
  malware: { deny: false, requireScanned: false },
  baseline: { require: [], waive: [], requireAnnotations: [] },
  baseImage: { requireApproved: false, names: [], requireLatest: false },
};
const rules = (deny: boolean, ignoreRules: string[] = []): BeyondRules => ({
  ...OFF,
  secrets: { deny, ignoreRules },
});
const input = (image: ImageEvidence | undefined, findings: string[] = []) => ({
  image,
  findings: findings.map((advisoryId) => ({
    advisoryId,
    aliases: [],
    status: 'affected' as const,
  })),
});
const codes = (reasons: Array<{ code: string }>) => reasons.map((r) => r.code);

describe('judgeBeyond: secrets', () => {
  it('denies an image with a secret, naming rule, path and line', () => {
    const reasons = judgeBeyond(input(withSecret), rules(true));
    expect(reasons).toHaveLength(1);
    expect(reasons[0]).toMatchObject({
      code: 'SECRETS_FOUND',
      message: '1 secret(s) in the image layers: github-pat in /srv/app/.env:3',
    });
  });

  it('passes a clean image, an environment that allows secrets, and ignored rules', () => {
    expect(judgeBeyond(input({ secrets: [] }), rules(true))).toEqual([]);
    expect(judgeBeyond(input(withSecret), rules(false))).toEqual([]);
    expect(judgeBeyond(input(withSecret), rules(true, ['github-pat']))).toEqual(
      [],
    );
  });

  it('fails closed when the image has no scan evidence', () => {
    expect(codes(judgeBeyond(input(undefined), rules(true)))).toEqual([
      'EVIDENCE_MISSING',
    ]);
    expect(judgeBeyond(input(undefined), rules(false))).toEqual([]);
  });

  it('quotes at most five secrets and counts the rest', () => {
    const many: ImageEvidence = {
      secrets: Array.from({ length: 7 }, (_, i) => ({
        ...withSecret.secrets[0]!,
        line: i + 1,
      })),
    };
    const [reason] = judgeBeyond(input(many), rules(true));
    expect(reason?.message).toMatch(/^7 secret\(s\).*and 2 more$/);
    expect((reason?.details?.['secrets'] as unknown[]).length).toBe(7);
  });
});

describe('judgeBeyond: malware', () => {
  const deny: BeyondRules = {
    ...OFF,
    malware: { deny: true, requireScanned: false },
  };
  const eicar: ImageEvidence = {
    secrets: [],
    malware: {
      clamav: 'scanned',
      hashLists: false,
      findings: [
        {
          source: 'clamav',
          name: 'Eicar-Signature',
          path: 'srv/app/eicar.com',
          layerDigest: layer,
        },
      ],
    },
  };

  it('denies a known-bad file and a malicious package', () => {
    const reasons = judgeBeyond(input(eicar, ['MAL-2025-20690']), deny);
    expect(codes(reasons)).toEqual(['MALWARE_FOUND']);
    expect(reasons[0]?.message).toBe(
      'malware: Eicar-Signature in /srv/app/eicar.com, malicious package (MAL-2025-20690)',
    );
    expect(
      codes(judgeBeyond(input({ secrets: [] }, ['MAL-2022-5']), deny)),
    ).toEqual(['MALWARE_FOUND']);
    expect(judgeBeyond(input(eicar, ['GHSA-xvch-5gv4-984h']), OFF)).toEqual([]);
  });

  it('quotes at most five', () => {
    const ids = Array.from({ length: 6 }, (_, i) => `MAL-2025-${i}`);
    expect(judgeBeyond(input(undefined, ids), deny)[0]?.message).toMatch(
      /and 1 more$/,
    );
  });

  it('never takes an unavailable or absent ClamAV as clean', () => {
    const scanned: BeyondRules = {
      ...OFF,
      malware: { deny: false, requireScanned: true },
    };
    const unavailable: ImageEvidence = {
      secrets: [],
      malware: { clamav: 'unavailable', hashLists: false, findings: [] },
    };
    expect(codes(judgeBeyond(input(unavailable), scanned))).toEqual([
      'MALWARE_UNSCANNED',
    ]);
    expect(judgeBeyond(input(unavailable), scanned)[0]?.message).toContain(
      '(unavailable)',
    );
    expect(codes(judgeBeyond(input({ secrets: [] }), scanned))).toEqual([
      'MALWARE_UNSCANNED',
    ]);
    expect(codes(judgeBeyond(input(undefined), scanned))).toEqual([
      'EVIDENCE_MISSING',
    ]);
    expect(judgeBeyond(input(eicar), scanned)).toEqual([]);
  });
});

describe('judgeBeyond: configuration baseline', () => {
  const image: ImageEvidence = {
    secrets: [],
    baseline: {
      findings: [
        {
          id: 'CUSTOMS-CFG-001',
          title: 'runs as root (no USER, or USER root/0)',
          severity: 'high',
          fix: 'add `USER <non-root uid>`',
          details: { user: '' },
        },
        {
          id: 'CUSTOMS-CFG-002',
          title: 'no HEALTHCHECK',
          severity: 'low',
          fix: 'add a `HEALTHCHECK`',
        },
      ],
      annotations: { 'org.opencontainers.image.source': 'https://x' },
    },
  };
  const baseline = (b: Partial<BeyondRules['baseline']>): BeyondRules => ({
    ...OFF,
    baseline: { ...OFF.baseline, ...b },
  });

  it('counts required checks and checks above the ceiling, not waived ones', () => {
    const required = judgeBeyond(
      input(image),
      baseline({ require: ['CUSTOMS-CFG-001'] }),
    );
    expect(required.map((r) => r.message)).toEqual([
      'CUSTOMS-CFG-001 runs as root (no USER, or USER root/0) (high): add `USER <non-root uid>`',
    ]);
    expect(required[0]?.details).toMatchObject({ check: 'CUSTOMS-CFG-001' });
    expect(
      codes(judgeBeyond(input(image), baseline({ maxSeverity: 'negligible' }))),
    ).toEqual(['BASELINE_FAILED', 'BASELINE_FAILED']);
    expect(
      judgeBeyond(
        input(image),
        baseline({ maxSeverity: 'low', waive: ['CUSTOMS-CFG-001'] }),
      ),
    ).toEqual([]);
    expect(judgeBeyond(input(image), OFF)).toEqual([]);
  });

  it('demands OCI annotations', () => {
    const reasons = judgeBeyond(
      input(image),
      baseline({
        requireAnnotations: [
          'org.opencontainers.image.source',
          'org.opencontainers.image.revision',
        ],
      }),
    );
    expect(reasons.map((r) => r.message)).toEqual([
      'CUSTOMS-CFG-010 missing OCI annotation(s) org.opencontainers.image.revision: set them at build time',
    ]);
  });

  it('fails closed without baseline evidence', () => {
    const rules = baseline({ require: ['CUSTOMS-CFG-001'] });
    expect(codes(judgeBeyond(input({ secrets: [] }), rules))).toEqual([
      'EVIDENCE_MISSING',
    ]);
    expect(codes(judgeBeyond(input(undefined), rules))).toEqual([
      'EVIDENCE_MISSING',
    ]);
  });
});

describe('judgeBeyond: known exploited with a fix', () => {
  const rules: BeyondRules = {
    ...OFF,
    vulnerabilities: { denyKnownExploitedWithFix: true },
  };
  const finding = (fixedVersion?: string) => ({
    advisoryId: 'GHSA-jfh8-c2jp-5v3q',
    aliases: ['CVE-2021-44228'],
    status: 'affected' as const,
    fixedVersion,
  });

  it('denies a KEV finding that has a fix, as P1', () => {
    const reasons = judgeBeyond(
      {
        image: { secrets: [] },
        findings: [finding('2.15.0')],
        knownExploited: ['CVE-2021-44228'],
      },
      rules,
    );
    expect(reasons).toEqual([
      {
        code: 'KNOWN_EXPLOITED_WITH_FIX',
        message:
          'known exploited (CISA KEV) with a fix available, priority P1: CVE-2021-44228: update the packages',
        details: { cves: ['CVE-2021-44228'], priority: 'P1' },
      },
    ]);
  });

  it('lets through one without a fix, one not in KEV, and a rule that is off', () => {
    const base = { image: { secrets: [] }, knownExploited: ['CVE-2021-44228'] };
    expect(judgeBeyond({ ...base, findings: [finding()] }, rules)).toEqual([]);
    expect(
      judgeBeyond(
        { ...base, knownExploited: [], findings: [finding('2.15.0')] },
        rules,
      ),
    ).toEqual([]);
    expect(
      judgeBeyond({ ...base, findings: [finding('2.15.0')] }, OFF),
    ).toEqual([]);
  });
});
