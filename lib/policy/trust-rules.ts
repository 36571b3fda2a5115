import { z } from 'zod';

/**
 * Trust entries of the rules beside `keys`: Sigstore trusted roots, keyless
 * identities, Notation trust policies; and what an environment requires of
 * them (k-of-n signer clauses, attestations). Every entry has a name; names
 * are unique across keys, identities and notation so a clause can name any.
 */

/** A Sigstore `trusted_root.json` read from disk (offline: never fetched). */
export const trustedRootEntry = z
  .object({
    file: z.string().min(1),
    /** SCTs required in a Fulcio certificate (0 for a root without CT logs). */
    ctlogThreshold: z.number().int().min(0).max(4).default(1),
  })
  .strict();

/** A keyless signer: a Fulcio certificate identity and OIDC issuer. */
export const identityEntry = z
  .object({
    /** Name under `trustedRoots` the certificate must chain to. */
    trustedRoot: z.string().min(1),
    /** Certificate SAN (URI, email or other name), exact or a regex. */
    subject: z.string().min(1).optional(),
    subjectRegex: z.string().min(1).optional(),
    /** OIDC issuer (Fulcio extension 1.3.6.1.4.1.57264.1.8), exact or a regex. */
    issuer: z.string().min(1).optional(),
    issuerRegex: z.string().min(1).optional(),
  })
  .strict()
  .refine((e) => (e.subject === undefined) !== (e.subjectRegex === undefined), {
    message: 'give exactly one of subject or subjectRegex',
  })
  .refine((e) => (e.issuer === undefined) !== (e.issuerRegex === undefined), {
    message: 'give exactly one of issuer or issuerRegex',
  });

/**
 * A Notation trust policy (Notary Project "Trust Store and Trust Policy"):
 * CA certificates signatures must chain to, optional TSA roots (timestamp
 * checks are made only when given, as notation does), identities, scopes.
 */
export const notationEntry = z
  .object({
    /** PEM (one or more certificates) or DER CA certificate files. */
    trustStore: z.array(z.string().min(1)).min(1),
    /** TSA root certificates; enables RFC 3161 timestamp verification. */
    tsaStore: z.array(z.string().min(1)).default([]),
    /** `x509.subject: <DN>` entries, or `*` for any signer of the store. */
    trustedIdentities: z.array(z.string().min(1)).min(1),
    /** Repositories this policy covers (`team/app`), or `*`. */
    registryScopes: z.array(z.string().min(1)).default(['*']),
    /** strict: expiry and timestamp enforced; permissive: only logged. */
    level: z.enum(['strict', 'permissive']).default('strict'),
    verifyTimestamp: z.enum(['always', 'afterCertExpiry']).default('always'),
  })
  .strict();

/** One clause of `signatures.require`: at least `atLeast` of `anyOf` signed. */
export const requireClause = z.union([
  z
    .string()
    .min(1)
    .transform((name) => ({ anyOf: [name], atLeast: 1 })),
  z
    .object({
      anyOf: z.array(z.string().min(1)).min(1),
      atLeast: z.number().int().min(1).default(1),
    })
    .strict()
    .refine((c) => c.anyOf.length === 0 || c.atLeast <= new Set(c.anyOf).size, {
      message: 'atLeast is larger than the number of distinct signers',
    }),
]);

/** An in-toto attestation the image must carry, verified like a signature. */
export const attestationRequirement = z
  .object({
    predicateType: z.string().min(1),
    /** SLSA provenance `builder.id` (v0.2) / `runDetails.builder.id` (v1). */
    builderId: z.string().min(1).optional(),
    /** Trust entries one of which must have signed it; empty = any trusted. */
    signers: z.array(z.string().min(1)).default([]),
  })
  .strict();

/** A `require` clause, a bare name read as `{anyOf: [name], atLeast: 1}`. */
export type RequireClause = z.infer<typeof requireClause>;
/** One entry of an environment's `attestations`. */
export type AttestationRequirement = z.infer<typeof attestationRequirement>;
/** One entry of `identities`. */
export type IdentityEntry = z.infer<typeof identityEntry>;
/** One entry of `notation`. */
export type NotationEntry = z.infer<typeof notationEntry>;

/** The top-level trust sections, as the schema reads them. */
export interface TrustSections {
  keys: Record<string, { trustedRoot?: string | undefined }>;
  trustedRoots: Record<string, unknown>;
  identities: Record<string, IdentityEntry>;
  notation: Record<string, NotationEntry>;
}

/** Names referenced by one environment's rules, with where they appear. */
export interface NameUse {
  path: Array<string | number>;
  name: string;
}

/**
 * Problems across sections: duplicate names, unknown names in clauses,
 * identities naming an unknown root, regexes that do not compile.
 */
export function crossCheckTrust(
  sections: TrustSections,
  uses: NameUse[],
): Problem[] {
  const owners = new Map<string, string>();
  const problems: Problem[] = [];
  for (const section of ['keys', 'identities', 'notation'] as const) {
    for (const name of Object.keys(sections[section])) {
      const other = owners.get(name);
      if (other)
        problems.push({
          path: [section, name],
          message: `name "${name}" is also used under ${other}`,
        });
      owners.set(name, section);
    }
  }
  for (const { path, name } of uses) {
    if (!owners.has(name))
      problems.push({
        path,
        message: `unknown signer "${name}" (not under keys, identities or notation)`,
      });
  }
  return [...problems, ...rootProblems(sections), ...regexProblems(sections)];
}

type Problem = { path: Array<string | number>; message: string };

function rootProblems(sections: TrustSections): Problem[] {
  const named = (section: 'keys' | 'identities') =>
    Object.entries(sections[section]).flatMap(([name, e]) =>
      e.trustedRoot === undefined
        ? []
        : [{ section, name, root: e.trustedRoot }],
    );
  return [...named('keys'), ...named('identities')]
    .filter(({ root }) => !(root in sections.trustedRoots))
    .map(({ section, name, root }) => ({
      path: [section, name, 'trustedRoot'],
      message: `unknown trusted root "${root}" (not under trustedRoots)`,
    }));
}

function regexProblems(sections: TrustSections): Problem[] {
  const problems: Problem[] = [];
  for (const [name, e] of Object.entries(sections.identities)) {
    for (const field of ['subjectRegex', 'issuerRegex'] as const) {
      const source = e[field];
      if (source === undefined) continue;
      try {
        new RegExp(source);
      } catch (err: unknown) {
        problems.push({
          path: ['identities', name, field],
          message: `invalid regex: ${(err as Error).message}`,
        });
      }
    }
  }
  return problems;
}
