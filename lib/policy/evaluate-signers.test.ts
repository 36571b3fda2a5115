import { describe, expect, it } from 'vitest';
import { evaluate, type Evidence } from './evaluate.js';
import { parseRules, rulesSchema } from './rules.js';

const rulesFor = (env: unknown) =>
  rulesSchema.parse({
    version: 1,
    keys: {
      'team-a-1': { publicKey: 'x' },
      'team-a-2': { publicKey: 'x' },
      other: { publicKey: 'x' },
    },
    trustedRoots: { root: { file: '/r.json' } },
    identities: {
      release: {
        trustedRoot: 'root',
        subject: 'https://ci/release',
        issuer: 'https://oidc',
      },
    },
    environments: { e: env },
  }).environments.e!;

type Sig = Evidence['signatures'][number];
const sig = (signers: string[], over: Partial<Sig> = {}): Sig => ({
  status: 'verified',
  signer: signers[0],
  signers,
  ...over,
});
const done = (signatures: Sig[]): Evidence => ({
  scan: { status: 'done' },
  findings: [],
  signatures,
});
const NAMES = ['team-a-1', 'team-a-2', 'other', 'release'];
const codes = (e: Evidence, env: unknown) =>
  evaluate(e, rulesFor(env), NAMES).reasons.map((r) => r.code);

describe('k-of-n signer clauses', () => {
  const env = {
    signatures: {
      require: [{ anyOf: ['team-a-1', 'team-a-2'] }, 'release'],
    },
  };

  it('needs any key of team A and the release pipeline identity', () => {
    expect(codes(done([]), env)).toEqual([
      'SIGNATURE_MISSING',
      'SIGNATURE_MISSING',
    ]);
    expect(codes(done([sig(['team-a-2'])]), env)).toEqual([
      'SIGNATURE_INVALID',
    ]);
    expect(
      evaluate(
        done([sig(['team-a-2']), sig(['release'])]),
        rulesFor(env),
        NAMES,
      ).status,
    ).toBe('eligible');
  });

  it('counts distinct signers for atLeast, and never unverified ones', () => {
    const two = {
      signatures: {
        require: [{ anyOf: ['team-a-1', 'team-a-2', 'other'], atLeast: 2 }],
      },
    };
    expect(codes(done([sig(['team-a-1']), sig(['team-a-1'])]), two)).toEqual([
      'SIGNATURE_INVALID',
    ]);
    expect(
      codes(
        done([
          sig(['team-a-1']),
          sig(['other'], { status: 'unknown_key', reason: 'KEY_UNKNOWN' }),
        ]),
        two,
      ),
    ).toEqual(['SIGNATURE_INVALID']);
    expect(
      evaluate(done([sig(['team-a-1', 'other'])]), rulesFor(two), NAMES).status,
    ).toBe('eligible');
  });

  it('keeps requiredSigners working with stored `key:<name>` rows', () => {
    const env2 = { signatures: { requiredSigners: ['other'] } };
    expect(
      evaluate(
        done([{ status: 'verified', signer: 'key:other' }]),
        rulesFor(env2),
        NAMES,
      ).status,
    ).toBe('eligible');
  });
});

describe('attestation requirements', () => {
  const env = {
    attestations: [
      {
        predicateType: 'https://slsa.dev/provenance/v1',
        builderId: 'https://ci/builder',
        signers: ['release'],
      },
    ],
  };
  const provenance = (over: Partial<Sig> = {}): Sig =>
    sig(['release'], {
      kind: 'attestation',
      predicateType: 'https://slsa.dev/provenance/v1',
      payload: { builderId: 'https://ci/builder' },
      ...over,
    });

  it('passes with a verified provenance from the required builder and signer', () => {
    expect(evaluate(done([provenance()]), rulesFor(env), NAMES).status).toBe(
      'eligible',
    );
  });

  it.each([
    ['no attestation', []],
    [
      'another builder',
      [provenance({ payload: { builderId: 'https://evil' } })],
    ],
    ['another signer', [provenance({ signers: ['other'] })]],
    ['an unverified one', [provenance({ status: 'invalid', signers: [] })]],
    [
      'another predicate',
      [provenance({ predicateType: 'https://spdx.dev/Document' })],
    ],
  ])('refuses %s', (_what, signatures) => {
    expect(codes(done(signatures), env)).toEqual(['ATTESTATION_MISSING']);
  });

  it('does not count an attestation as a signature', () => {
    expect(
      codes(done([provenance()]), { signatures: { required: true } }),
    ).toEqual(['SIGNATURE_MISSING']);
  });
});

describe('trust rules validation', () => {
  const bad = (text: string): string[] => {
    try {
      parseRules(text, () => '{"tlogs":[],"certificateAuthorities":[]}');
    } catch (err: unknown) {
      return (err as { details: { problems: string[] } }).details.problems;
    }
    throw new Error('rules were accepted');
  };

  it('names each problem of a bad k-of-n rule', () => {
    expect(
      bad(
        [
          'version: 1',
          'keys: {a: {publicKey: x}}',
          'identities: {a: {trustedRoot: nope, subject: s, issuer: i, issuerRegex: "("}}',
          'environments:',
          '  prod:',
          '    signatures: {require: [{anyOf: [a, ghost], atLeast: 3}, {anyOf: []}]}',
          '    attestations: [{predicateType: p, signers: [phantom]}]',
        ].join('\n'),
      ),
    ).toEqual([
      'identities.a: give exactly one of issuer or issuerRegex',
      'environments.prod.signatures.require.0: atLeast is larger than the number of distinct signers',
      'environments.prod.signatures.require.1.anyOf: Too small: expected array to have >=1 items',
      'identities.a: name "a" is also used under keys',
      'environments.prod.signatures.require.0: unknown signer "ghost" (not under keys, identities or notation)',
      'environments.prod.attestations.0: unknown signer "phantom" (not under keys, identities or notation)',
      'identities.a.trustedRoot: unknown trusted root "nope" (not under trustedRoots)',
      expect.stringMatching(/^identities\.a\.issuerRegex: invalid regex/),
    ]);
    expect(
      bad(
        [
          'version: 1',
          'keys: {a: {publicKey: x}}',
          'trustedRoots: {r: {file: /r.json}}',
          'identities: {a: {trustedRoot: nope, subjectRegex: "(", issuer: i}}',
          'environments:',
          '  prod:',
          '    signatures: {require: [{anyOf: [a, ghost]}]}',
          '    attestations: [{predicateType: p, signers: [phantom]}]',
        ].join('\n'),
      ),
    ).toEqual([
      'identities.a: name "a" is also used under keys',
      'environments.prod.signatures.require.0: unknown signer "ghost" (not under keys, identities or notation)',
      'environments.prod.attestations.0: unknown signer "phantom" (not under keys, identities or notation)',
      'identities.a.trustedRoot: unknown trusted root "nope" (not under trustedRoots)',
      expect.stringMatching(/^identities\.a\.subjectRegex: invalid regex/),
    ]);
  });
});
