/**
 * Rule blocks of an environment about evidence besides advisories and
 * signatures: secrets in layers. Each block is optional and off by
 * default, so existing rule files keep their meaning.
 */
import { z } from 'zod';
import { SEVERITIES } from '../core/severity.js';

/** `secrets:` of an environment. */
export const secretsRules = z
  .object({
    /** Any secret found in any layer (deleted files included) makes the image ineligible. */
    deny: z.boolean().default(false),
    /** Rule ids not counted in this environment (e.g. `generic-secret-assignment` in dev). */
    ignoreRules: z.array(z.string().min(1)).default([]),
  })
  .strict();

export type SecretsRules = z.infer<typeof secretsRules>;

/** `malware:` of an environment. */
export const malwareRules = z
  .object({
    /** Known-bad files (hash lists, ClamAV) and malicious packages (MAL- advisories) make the image ineligible. */
    deny: z.boolean().default(false),
    /** ClamAV must have read every file: `unavailable` or not configured is ineligible. */
    requireScanned: z.boolean().default(false),
  })
  .strict();

export type MalwareRules = z.infer<typeof malwareRules>;

const checkId = z
  .string()
  .regex(/^CUSTOMS-CFG-\d{3}$/, { message: 'a check id like CUSTOMS-CFG-001' });

/** `baseline:` of an environment (configuration checks, catalogue in lib/scan/baseline). */
export const baselineRules = z
  .object({
    /** Checks that must pass (ids). */
    require: z.array(checkId).default([]),
    /** Checks never counted here (ids). */
    waive: z.array(checkId).default([]),
    /** Any failed check above this severity counts; absent: only `require`. */
    maxSeverity: z.enum(SEVERITIES).optional(),
    /** OCI annotations (manifest, or config labels) the image must carry. */
    requireAnnotations: z.array(z.string().min(1)).default([]),
  })
  .strict();

export type BaselineRules = z.infer<typeof baselineRules>;

/** `baseImage:` of an environment (approved bases: config `scan.baseImages`). */
export const baseImageRules = z
  .object({
    /** The image must be built on an approved base ("built on our hardened Debian"). */
    requireApproved: z.boolean().default(false),
    /** Only these approved bases count; empty: any approved base. */
    names: z.array(z.string().min(1)).default([]),
    /** The base must be its newest configured revision. */
    requireLatest: z.boolean().default(false),
  })
  .strict();

export type BaseImageRules = z.infer<typeof baseImageRules>;
