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
const rules = (deny: boolean, ignoreRules: string[] = []): BeyondRules => ({
  secrets: { deny, ignoreRules },
});

describe('judgeBeyond: secrets', () => {
  it('denies an image with a secret, naming rule, path and line', () => {
    const reasons = judgeBeyond(withSecret, rules(true));
    expect(reasons).toHaveLength(1);
    expect(reasons[0]).toMatchObject({
      code: 'SECRETS_FOUND',
      message: '1 secret(s) in the image layers: github-pat in /srv/app/.env:3',
    });
  });

  it('passes a clean image, an environment that allows secrets, and ignored rules', () => {
    expect(judgeBeyond({ secrets: [] }, rules(true))).toEqual([]);
    expect(judgeBeyond(withSecret, rules(false))).toEqual([]);
    expect(judgeBeyond(withSecret, rules(true, ['github-pat']))).toEqual([]);
  });

  it('fails closed when the image has no secret scan results', () => {
    expect(judgeBeyond(undefined, rules(true))[0]?.code).toBe(
      'EVIDENCE_MISSING',
    );
    expect(judgeBeyond(undefined, rules(false))).toEqual([]);
  });

  it('quotes at most five secrets and counts the rest', () => {
    const many: ImageEvidence = {
      secrets: Array.from({ length: 7 }, (_, i) => ({
        ...withSecret.secrets[0]!,
        line: i + 1,
      })),
    };
    const [reason] = judgeBeyond(many, rules(true));
    expect(reason?.message).toMatch(/^7 secret\(s\).*and 2 more$/);
    expect((reason?.details?.['secrets'] as unknown[]).length).toBe(7);
  });
});
