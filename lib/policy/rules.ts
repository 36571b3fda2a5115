import { createHash } from 'node:crypto';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { PolicyError } from '../core/errors.js';
import { parseLicense } from '../core/license-expression.js';
import { SEVERITIES } from '../core/severity.js';
import {
  attestationRequirement,
  crossCheckTrust,
  identityEntry,
  notationEntry,
  requireClause,
  trustedRootEntry,
  type IdentityEntry,
  type NameUse,
  type NotationEntry,
} from './trust-rules.js';
import { resolveTrustFiles } from './trust-files.js';
import {
  baseImageRules,
  baselineRules,
  malwareRules,
  secretsRules,
} from './beyond-rules.js';

const severity = z.enum(SEVERITIES);

/** One license name (SPDX id or free text), or `license WITH exception`. */
const licenseName = z
  .string()
  .trim()
  .min(1)
  .refine(
    (name) => {
      const kind = parseLicense(name).kind;
      return kind === 'license' || kind === 'with';
    },
    {
      message:
        'one license per entry (an SPDX id, a name, or "license WITH exception"), not an AND/OR expression',
    },
  );

const environmentRules = z
  .object({
    /** enforce: refuse when ineligible; warn: serve but report; audit: serve, record only. */
    mode: z.enum(['enforce', 'warn', 'audit']).default('enforce'),
    vulnerabilities: z
      .object({
        /** Highest severity allowed; a counted finding above it makes the image ineligible. */
        maxSeverity: severity.default('critical'),
        /** Level a finding without a known severity is judged as (never "low" silently). */
        unknownSeverityAs: severity.default('high'),
        /** Whether findings without an available fix count. */
        countUnfixed: z.boolean().default(true),
        /** Whether findings the source marks undetermined count. */
        countUndetermined: z.boolean().default(false),
        /**
         * Which rating a finding is judged by: `preferred` (the
         * distribution's when it gives one, else CVSS, else the source's
         * text), `cvss` (the computed CVSS base score only), `distribution`
         * (Debian urgency, Ubuntu priority, Red Hat rating only) or
         * `highest` (the worst of them). A finding without the chosen
         * rating is judged as `unknownSeverityAs`.
         */
        severitySource: z
          .enum(['preferred', 'cvss', 'distribution', 'highest'])
          .default('preferred'),
        /** Findings of a CVE in the CISA KEV catalog that have a fix make the image ineligible. */
        denyKnownExploitedWithFix: z.boolean().default(false),
        /**
         * Oldest vulnerability data (hours since the last import) a verdict
         * may rest on; older data, or none, makes images ineligible until
         * the next import. Unset = no limit.
         */
        maxDataAgeHours: z.number().positive().optional(),
        /**
         * Longest a counted finding (after exceptions) may stay once a
         * fix is available: `days` since Customs first saw it with a fix,
         * for findings judged at least `minSeverity`. A finding past it
         * makes the image ineligible, from that moment. Unset = no limit.
         */
        maxFixableDays: z
          .object({
            days: z.number().positive(),
            minSeverity: severity.default('negligible'),
          })
          .strict()
          .optional(),
        /**
         * Oldest scan (hours since the image's package list was produced)
         * a verdict may rest on; an older one makes the image ineligible
         * until it is scanned again. Unset = no limit.
         */
        maxScanAgeHours: z.number().positive().optional(),
      })
      .strict()
      .prefault({}),
    signatures: z
      .object({
        /** At least one signature verified by any key under `keys`. */
        required: z.boolean().default(false),
        /** Names (from `keys`) that must each have a verified signature on the image. */
        requiredSigners: z.array(z.string().min(1)).default([]),
        /** k-of-n clauses over trust entries, all of which must hold. */
        require: z.array(requireClause).default([]),
      })
      .strict()
      .prefault({}),
    /** In-toto attestations the image must carry (verified, by subject). */
    attestations: z.array(attestationRequirement).default([]),
    secrets: secretsRules.prefault({}),
    malware: malwareRules.prefault({}),
    /** Packages refused whatever their findings: name, optional ecosystem and version range. */
    packages: z
      .object({
        deny: z
          .array(
            z
              .object({
                name: z.string().min(1),
                ecosystem: z.string().min(1).optional(),
                /** Lowest version denied (inclusive). */
                from: z.string().min(1).optional(),
                /** First version no longer denied (exclusive). */
                below: z.string().min(1).optional(),
              })
              .strict(),
          )
          .default([]),
      })
      .strict()
      .prefault({}),
    /**
     * Declared licenses of the image's packages: deny wins; a non-empty
     * allow admits only its licenses; `unknown` says what a package
     * declaring none does. Expressions: OR needs one acceptable
     * alternative, AND and WITH need all parts.
     */
    licenses: z
      .object({
        deny: z.array(licenseName).default([]),
        allow: z.array(licenseName).default([]),
        unknown: z.enum(['ignore', 'deny']).default('ignore'),
      })
      .strict()
      .prefault({}),
    /** Repository globs (`team/*`): deny wins; a non-empty allow admits only its matches. */
    repositories: z
      .object({
        allow: z.array(z.string().min(1)).default([]),
        deny: z.array(z.string().min(1)).default([]),
      })
      .strict()
      .prefault({}),
    baseline: baselineRules.prefault({}),
    baseImage: baseImageRules.prefault({}),
  })
  .strict();

const trustedKey = z
  .object({
    /** PEM public key (cosign.pub), or a file holding it. */
    publicKey: z.string().optional(),
    publicKeyFile: z.string().optional(),
    /** Trusted root whose Rekor keys check the tlog entries of its bundles. */
    trustedRoot: z.string().min(1).optional(),
  })
  .strict()
  .refine(
    (k) => (k.publicKey === undefined) !== (k.publicKeyFile === undefined),
    {
      message: 'give exactly one of publicKey or publicKeyFile',
    },
  );

const ENV_NAME_RE = /^[a-z][a-z0-9-]{0,62}$/;

export const rulesSchema = z
  .object({
    version: z.literal(1),
    keys: z.record(z.string().regex(ENV_NAME_RE), trustedKey).default({}),
    trustedRoots: z
      .record(z.string().regex(ENV_NAME_RE), trustedRootEntry)
      .default({}),
    identities: z
      .record(z.string().regex(ENV_NAME_RE), identityEntry)
      .default({}),
    notation: z
      .record(z.string().regex(ENV_NAME_RE), notationEntry)
      .default({}),
    environments: z.record(z.string().regex(ENV_NAME_RE), environmentRules),
  })
  .strict()
  .superRefine((rules, ctx) => {
    for (const problem of crossCheckTrust(rules, namesUsed(rules))) {
      ctx.addIssue({ code: 'custom', ...problem });
    }
  });

export type EnvironmentRules = z.infer<typeof environmentRules>;

/** Trust rules with keys resolved to PEM text, and a version naming their content. */
export interface RuleSet {
  version: string;
  /** Version of the trust material alone (keys, roots, identities, notation). */
  trustVersion: string;
  keys: Record<
    string,
    { publicKeyPem: string; trustedRoot?: string | undefined }
  >;
  /** Parsed `trusted_root.json` documents by name. */
  trustedRoots: Record<string, { json: unknown; ctlogThreshold: number }>;
  identities: Record<string, IdentityEntry>;
  /** Notation policies with their certificate files read (PEM or DER bytes). */
  notation: Record<
    string,
    NotationEntry & { certificates: Buffer[]; tsaCertificates: Buffer[] }
  >;
  environments: Record<string, EnvironmentRules>;
}

/** Reads a file named in the rules (keys, trusted roots, certificates). */
export type RulesFileReader = (path: string) => string | Buffer;

/**
 * Parses and validates a rules document. Every problem is reported at once as
 * PolicyError('RULES_INVALID'); a bad rules file never replaces a good one.
 * `readFile` resolves `publicKeyFile`, trusted-root and certificate files.
 */
export function parseRules(
  text: string,
  readFile: RulesFileReader,
  origin = 'rules',
): RuleSet {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) {
    throw invalid(
      origin,
      doc.errors.map((e) => e.message),
    );
  }
  const parsed = rulesSchema.safeParse(doc.toJS());
  if (!parsed.success) {
    throw invalid(
      origin,
      parsed.error.issues.map(
        (i) => `${i.path.join('.') || '(root)'}: ${i.message}`,
      ),
    );
  }
  const problems: string[] = [];
  const files = resolveTrustFiles(parsed.data, readFile, problems);
  if (problems.length > 0) throw invalid(origin, problems);
  const trust = trustOf(parsed.data, files);
  return {
    version: hash({ rules: parsed.data, trust }),
    trustVersion: hash(trust),
    keys: files.keys,
    trustedRoots: files.trustedRoots,
    identities: parsed.data.identities,
    notation: files.notation,
    environments: parsed.data.environments,
  };
}

function hash(value: unknown): string {
  return createHash('sha256')
    .update(JSON.stringify(value))
    .digest('hex')
    .slice(0, 16);
}

/** What the trust version hashes: every trust entry with its file contents. */
function trustOf(
  rules: { identities: RuleSet['identities'] },
  files: ReturnType<typeof resolveTrustFiles>,
): unknown {
  return {
    keys: files.keys,
    trustedRoots: files.trustedRoots,
    identities: rules.identities,
    notation: Object.fromEntries(
      Object.entries(files.notation).map(([name, n]) => [
        name,
        {
          ...n,
          certificates: n.certificates.map((c) => c.toString('base64')),
          tsaCertificates: n.tsaCertificates.map((c) => c.toString('base64')),
        },
      ]),
    ),
  };
}

/** Every trust-entry name an environment refers to, with its path. */
function namesUsed(rules: {
  environments: Record<string, EnvironmentRules>;
}): NameUse[] {
  return Object.entries(rules.environments).flatMap(([env, r]) => {
    const at = ['environments', env];
    return [
      ...r.signatures.requiredSigners.map((name) => ({
        path: [...at, 'signatures', 'requiredSigners'],
        name,
      })),
      ...r.signatures.require.flatMap((c, i) =>
        c.anyOf.map((name) => ({
          path: [...at, 'signatures', 'require', i],
          name,
        })),
      ),
      ...r.attestations.flatMap((a, i) =>
        a.signers.map((name) => ({ path: [...at, 'attestations', i], name })),
      ),
    ];
  });
}

function invalid(origin: string, problems: string[]): PolicyError {
  return new PolicyError(
    'RULES_INVALID',
    `invalid trust rules (${origin}):\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    {
      details: { problems },
    },
  );
}
