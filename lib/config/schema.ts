import { z } from 'zod';

/** Extraction limits of the scanner (STYLE.md §3); units in the names. */
const scanLimits = z
  .object({
    maxLayerBytes: z
      .number()
      .int()
      .positive()
      .default(8 * 1024 ** 3),
    maxFileBytes: z
      .number()
      .int()
      .positive()
      .default(64 * 1024 ** 2),
    maxEntries: z.number().int().positive().default(500_000),
    maxSymlinkDepth: z.number().int().positive().default(40),
  })
  .strict();

/**
 * The whole configuration of Customs. Objects are strict so an unknown key is
 * an error (zot's UnmarshalExact). Defaults live here; `config/default.yaml`
 * repeats every key with a comment, and a test keeps the two in step.
 */
export const configSchema = z
  .object({
    version: z.literal(1),
    dataDir: z.string().min(1).default('.customs'),
    server: z
      .object({
        host: z.string().default('127.0.0.1'),
        port: z.number().int().min(0).max(65535).default(8080),
        /** Repository prefixes that name an environment (`prod/…`). */
        defaultEnvironment: z.string().min(1).default('prod'),
        /** Upper bound of a request body on the JSON endpoints. */
        maxBodyBytes: z
          .number()
          .int()
          .positive()
          .default(1024 * 1024),
      })
      .strict()
      .prefault({}),
    upstream: z
      .object({
        url: z.url({ protocol: /^https?$/ }).default('http://127.0.0.1:5000'),
        username: z.string().optional(),
        password: z.string().optional(),
        token: z.string().optional(),
        timeoutMs: z.number().int().positive().default(30_000),
        retries: z.number().int().min(0).max(10).default(2),
        maxManifestBytes: z
          .number()
          .int()
          .positive()
          .default(4 * 1024 ** 2),
      })
      .strict()
      .prefault({}),
    database: z
      .object({
        /** Empty = embedded PGlite in `<dataDir>/pgdata`. */
        url: z.string().default(''),
        poolSize: z.number().int().positive().default(10),
      })
      .strict()
      .prefault({}),
    intake: z
      .object({
        /** Bearer secret the registry sends with each notification. */
        secret: z.string().default(''),
      })
      .strict()
      .prefault({}),
    rules: z
      .object({
        /** Trust rules file; empty = the built-in rules (config/rules.example.yaml). */
        file: z.string().default(''),
      })
      .strict()
      .prefault({}),
    scan: z
      .object({
        concurrency: z.number().int().positive().default(2),
        timeoutMs: z
          .number()
          .int()
          .positive()
          .default(10 * 60_000),
        retryLimit: z.number().int().min(0).default(3),
        limits: scanLimits.prefault({}),
      })
      .strict()
      .prefault({}),
    signatures: z
      .object({
        /** Compare the payload's docker-reference with the repository. */
        matchReference: z.enum(['repository', 'off']).default('repository'),
        maxSignatures: z.number().int().positive().default(32),
        maxPayloadBytes: z
          .number()
          .int()
          .positive()
          .default(64 * 1024),
        /** Time budget to discover and verify the signatures of one image. */
        timeoutMs: z.number().int().positive().default(30_000),
        /** Referrer artifact types read (referrers API filter and tag fallback). */
        artifactTypes: z
          .array(z.string().min(1))
          .min(1)
          .default([
            'application/vnd.dev.sigstore.bundle.v0.3+json',
            'application/vnd.cncf.notary.signature',
          ]),
      })
      .strict()
      .prefault({}),
    admission: z
      .object({
        /** Environment judged when the webhook URL names none. */
        defaultEnvironment: z.string().min(1).optional(),
      })
      .strict()
      .prefault({}),
    log: z
      .object({
        level: z
          .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
          .default('info'),
        pretty: z.boolean().default(false),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type Config = z.infer<typeof configSchema>;
export type ScanLimits = Config['scan']['limits'];
