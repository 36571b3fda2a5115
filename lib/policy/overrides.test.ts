import { describe, expect, it } from 'vitest';
import type { BreakGlassGrant, PolicyException } from '../core/overrides.js';
import { evaluate } from './evaluate.js';
import { overridesFor, underBreakGlass, waiveExcepted } from './overrides.js';
import { rulesSchema } from './rules.js';

const NOW = Date.parse('2030-01-01T00:00:00Z');
const IMAGE = {
  repository: 'team/app',
  digest: `sha256:${'a'.repeat(64)}` as const,
};
const finding = {
  advisoryId: 'GHSA-1',
  aliases: ['CVE-2030-1'],
  fixedVersion: '2',
  status: 'affected' as const,
  severity: 'critical' as const,
  packageName: 'openssl',
  advisoryPackage: 'openssl',
};
const exception = (over: Partial<PolicyException> = {}): PolicyException => ({
  id: 1,
  advisoryId: 'CVE-2030-1',
  package: null,
  scope: {},
  owner: 'team',
  justification: 'why',
  expiresAt: '2030-01-01T01:00:00.000Z',
  createdBy: 'alice',
  createdAt: '2029-12-31T00:00:00.000Z',
  revokedAt: null,
  ...over,
});
const grant: BreakGlassGrant = {
  id: 7,
  ...IMAGE,
  environment: 'prod',
  ticket: 'INC-1',
  reason: 'outage',
  expiresAt: '2030-01-01T00:10:00.000Z',
  createdBy: 'carol',
  createdAt: '2029-12-31T00:00:00.000Z',
  revokedAt: null,
};
const prod = rulesSchema.parse({
  version: 1,
  environments: { prod: { vulnerabilities: { maxSeverity: 'high' } } },
}).environments.prod!;

describe('overridesFor', () => {
  it('keeps exceptions in force and in scope, and the grant of this image and environment', () => {
    const all = {
      exceptions: [
        exception(),
        exception({ id: 2, revokedAt: '2029-12-31T12:00:00.000Z' }),
        exception({ id: 3, expiresAt: '2030-01-01T00:00:00.000Z' }),
        exception({ id: 4, scope: { repository: 'other/*' } }),
        exception({ id: 5, scope: { environments: ['dev'] } }),
        exception({ id: 6, scope: { digest: `sha256:${'b'.repeat(64)}` } }),
        exception({
          id: 8,
          scope: {
            repository: 'team/*',
            environments: ['prod'],
            digest: IMAGE.digest,
          },
        }),
      ],
      grants: [grant, { ...grant, id: 8, environment: 'dev' }],
    };
    const applied = overridesFor(all, IMAGE, 'prod', NOW);
    expect(applied.exceptions.map((e) => e.id)).toEqual([1, 8]);
    expect(applied.breakGlass?.id).toBe(7);
    expect(
      overridesFor(all, IMAGE, 'prod', Date.parse(grant.expiresAt)).breakGlass,
    ).toBeUndefined();
  });

  it('lets a digest scope or a grant naming an index cover the platform images it lists', () => {
    const index = `sha256:${'c'.repeat(64)}` as const;
    const other = `sha256:${'d'.repeat(64)}` as const;
    const all = {
      exceptions: [exception({ id: 9, scope: { digest: index } })],
      grants: [{ ...grant, id: 9, digest: index }],
    };
    const listed = overridesFor(
      all,
      { ...IMAGE, parents: [index] },
      'prod',
      NOW,
    );
    expect(listed.exceptions.map((e) => e.id)).toEqual([9]);
    expect(listed.breakGlass?.id).toBe(9);
    // Not listed by that index: neither applies.
    const unlisted = overridesFor(
      all,
      { ...IMAGE, parents: [other] },
      'prod',
      NOW,
    );
    expect(unlisted).toEqual({ exceptions: [], breakGlass: undefined });
    // The grant stays bound to its repository.
    expect(
      overridesFor(
        all,
        { repository: 'other/app', digest: IMAGE.digest, parents: [index] },
        'prod',
        NOW,
      ).breakGlass,
    ).toBeUndefined();
  });
});

describe('waiveExcepted', () => {
  it('waives by id or alias (any case), and by package only when it matches', () => {
    expect(
      waiveExcepted([finding], [exception({ advisoryId: 'ghsa-1' })]).findings,
    ).toEqual([]);
    expect(
      waiveExcepted([finding], [exception({ package: 'zlib' })]).findings,
    ).toEqual([finding]);
    const { reasons } = waiveExcepted(
      [finding],
      [exception({ package: 'openssl' })],
    );
    expect(reasons).toEqual([
      expect.objectContaining({
        code: 'EXCEPTION_APPLIED',
        details: expect.objectContaining({
          exceptionId: 1,
          findings: 1,
        }) as object,
      }),
    ]);
    expect(waiveExcepted([finding], [])).toEqual({
      findings: [finding],
      reasons: [],
    });
  });
});

describe('evaluate with overrides', () => {
  const evidence = {
    scan: { status: 'done' as const },
    findings: [finding],
    signatures: [],
  };

  it('turns a finding-only refusal eligible with an exception, naming it', () => {
    expect(evaluate(evidence, prod, []).status).toBe('ineligible');
    const judged = evaluate(
      { ...evidence, exceptions: [exception()] },
      prod,
      [],
    );
    expect(judged.status).toBe('eligible');
    expect(judged.reasons.map((r) => r.code)).toEqual([
      'POLICY_PASSED',
      'EXCEPTION_APPLIED',
    ]);
  });

  it('makes any verdict eligible under break-glass, keeping the reasons', () => {
    const judged = evaluate({ ...evidence, breakGlass: grant }, prod, []);
    expect(judged.status).toBe('eligible');
    expect(judged.reasons.map((r) => r.code)).toEqual([
      'BREAK_GLASS',
      'SEVERITY_EXCEEDED',
    ]);
    expect(
      underBreakGlass({ status: 'pending', reasons: [] }, grant).reasons[0]
        ?.details,
    ).toMatchObject({ statusWithoutGrant: 'pending' });
  });

  it('refuses a denied repository whatever the findings', () => {
    const rules = rulesSchema.parse({
      version: 1,
      environments: { prod: { repositories: { deny: ['team/*'] } } },
    }).environments.prod!;
    const judged = evaluate(
      { ...evidence, findings: [], repository: 'team/app' },
      rules,
      [],
    );
    expect(judged).toMatchObject({
      status: 'ineligible',
      reasons: [{ code: 'REPOSITORY_DENIED' }],
    });
  });
});
