import { createHash, createPublicKey } from 'node:crypto';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { PolicyError } from '../core/errors.js';
import { SEVERITIES } from '../core/severity.js';

const severity = z.enum(SEVERITIES);

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
      })
      .strict()
      .prefault({}),
    signatures: z
      .object({
        /** At least one signature verified by any key under `keys`. */
        required: z.boolean().default(false),
        /** Names (from `keys`) that must each have a verified signature on the image. */
        requiredSigners: z.array(z.string().min(1)).default([]),
      })
      .strict()
      .prefault({}),
  })
  .strict();

const trustedKey = z
  .object({
    /** PEM public key (cosign.pub), or a file holding it. */
    publicKey: z.string().optional(),
    publicKeyFile: z.string().optional(),
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
    environments: z.record(z.string().regex(ENV_NAME_RE), environmentRules),
  })
  .strict()
  .superRefine((rules, ctx) => {
    for (const [env, r] of Object.entries(rules.environments)) {
      for (const signer of r.signatures.requiredSigners) {
        if (!(signer in rules.keys)) {
          ctx.addIssue({
            code: 'custom',
            path: ['environments', env, 'signatures', 'requiredSigners'],
            message: `unknown signer "${signer}" (not under keys)`,
          });
        }
      }
    }
  });

export type EnvironmentRules = z.infer<typeof environmentRules>;

/** Trust rules with keys resolved to PEM text, and a version naming their content. */
export interface RuleSet {
  version: string;
  keys: Record<string, { publicKeyPem: string }>;
  environments: Record<string, EnvironmentRules>;
}

/**
 * Parses and validates a rules document. Every problem is reported at once as
 * PolicyError('RULES_INVALID'); a bad rules file never replaces a good one.
 * `readFile` resolves `publicKeyFile` entries.
 */
export function parseRules(
  text: string,
  readFile: (path: string) => string,
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
  const keys: RuleSet['keys'] = {};
  const problems: string[] = [];
  for (const [name, key] of Object.entries(parsed.data.keys)) {
    let pem: string;
    try {
      pem = key.publicKey ?? readFile(key.publicKeyFile!);
    } catch (err: unknown) {
      problems.push(
        `keys.${name}.publicKeyFile: cannot read ${key.publicKeyFile}: ${(err as Error).message}`,
      );
      continue;
    }
    try {
      createPublicKey(pem);
      keys[name] = { publicKeyPem: pem };
    } catch {
      problems.push(`keys.${name}: not a PEM public key`);
    }
  }
  if (problems.length > 0) throw invalid(origin, problems);
  const version = createHash('sha256')
    .update(JSON.stringify({ rules: parsed.data, keys }))
    .digest('hex')
    .slice(0, 16);
  return { version, keys, environments: parsed.data.environments };
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
