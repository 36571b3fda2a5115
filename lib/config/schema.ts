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

/** Secret scanning of layer files (lib/scan/secrets). */
const scanSecrets = z
  .object({
    enabled: z.boolean().default(true),
    maxFileBytes: z
      .number()
      .int()
      .positive()
      .default(1024 ** 2),
    /** Case-insensitive regular expressions of paths never reported. */
    allowPaths: z
      .array(
        z.string().refine(isRegExp, { message: 'not a regular expression' }),
      )
      .default([
        '\\.md$',
        'example[^/]*$',
        '(^|/)(test|tests|testdata)/',
        '^usr/share/(doc|man|info|locale|i18n|zoneinfo|common-licenses|terminfo)/',
        '^var/lib/dpkg/',
      ]),
    /** Rule ids never reported. */
    allowRules: z.array(z.string().min(1)).default([]),
  })
  .strict();

/** Known-bad files in layers (lib/scan/malware). */
const scanMalware = z
  .object({
    /** Files of known-bad sha256/md5 hashes, one per line (optional name after it). */
    hashLists: z.array(z.string().min(1)).default([]),
    maxFileBytes: z
      .number()
      .int()
      .positive()
      .default(64 * 1024 ** 2),
    clamav: z
      .object({
        /** `tcp://host:port` or a unix socket path of clamd; empty: no ClamAV. */
        address: z
          .string()
          .regex(/^(|tcp:\/\/[^/:]+:\d+|\/.+)$/, {
            message: 'tcp://host:port, an absolute socket path, or empty',
          })
          .default(''),
        timeoutMs: z.number().int().positive().default(10_000),
        maxFileBytes: z
          .number()
          .int()
          .positive()
          .default(25 * 1024 ** 2),
      })
      .strict()
      .prefault({}),
  })
  .strict();

/** An approved base image: its layer digests, one list per build over time (oldest first). */
const baseImage = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9._/-]{0,127}$/),
    revisions: z
      .array(z.array(z.string().regex(/^sha256:[a-f0-9]{64}$/)).min(1))
      .min(1),
  })
  .strict();

function isRegExp(source: string): boolean {
  try {
    new RegExp(source, 'i');
    return true;
  } catch {
    return false;
  }
}

/** The blob cache of the door: none, a directory, or an S3 bucket. */
const cache = z.discriminatedUnion('driver', [
  z.object({ driver: z.literal('none') }).strict(),
  z
    .object({
      driver: z.literal('fs'),
      /** Directory of cached blobs; empty = `<dataDir>/blobs`. */
      root: z.string().default(''),
    })
    .strict(),
  z
    .object({
      driver: z.literal('s3'),
      bucket: z.string().min(1),
      region: z.string().default('us-east-1'),
      /** S3-compatible endpoint (MinIO, Ceph…); empty = AWS. */
      endpoint: z.string().default(''),
      forcePathStyle: z.boolean().default(false),
      prefix: z.string().default('blobs/'),
      /** Empty = the AWS default credential chain. */
      accessKeyId: z.string().default(''),
      secretAccessKey: z.string().default(''),
      /** >0: full blob GETs are redirected to a presigned URL valid this long. */
      presignedRedirectSeconds: z.number().int().min(0).max(3600).default(0),
    })
    .strict(),
]);

/** One webhook source: what it sends, and how it proves itself. */
const intakeSource = z
  .object({
    kind: z.enum(['distribution', 'harbor', 'zot']),
    /** bearer: `Authorization: Bearer <secret>`; header: `header` equals the secret; hmac: `header` holds HMAC-SHA256(body). */
    auth: z.enum(['bearer', 'header', 'hmac']).default('bearer'),
    header: z.string().default('Authorization'),
    secret: z.string().optional(),
    secretFile: z.string().optional(),
  })
  .strict()
  .refine((s) => (s.secret === undefined) !== (s.secretFile === undefined), {
    message: 'give exactly one of secret or secretFile',
  });

/** A config value that may come from the environment as JSON text. */
const fromJson = (value: unknown): unknown => {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value; // not JSON: the schema names the type problem
  }
};

/** An HTTP endpoint that receives the signed outbound events. */
const eventSink = z
  .object({
    /** Stable name: delivery state is kept per sink name. */
    name: z.string().regex(/^[a-z][a-z0-9-]{0,62}$/),
    url: z.url({ protocol: /^https?$/ }),
    /** HMAC-SHA256 key; prefer secretFile (secrets stay out of YAML). */
    secret: z.string().min(1).optional(),
    secretFile: z.string().min(1).optional(),
  })
  .strict()
  .refine((s) => (s.secret === undefined) !== (s.secretFile === undefined), {
    message: 'give exactly one of secret or secretFile',
  });

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
        /**
         * TLS for the whole server (the kube-apiserver calls webhooks over
         * HTTPS only): PEM files; both empty = plain HTTP.
         */
        tls: z
          .object({
            certFile: z.string().default(''),
            keyFile: z.string().default(''),
          })
          .strict()
          .refine((t) => (t.certFile === '') === (t.keyFile === ''), {
            message: 'give both certFile and keyFile, or neither',
          })
          .prefault({}),
      })
      .strict()
      .prefault({}),
    upstream: z
      .object({
        url: z.url({ protocol: /^https?$/ }).default('http://127.0.0.1:5000'),
        username: z.string().optional(),
        password: z.string().optional(),
        token: z.string().optional(),
        /** Hosts besides the upstream's that a redirect or token realm may name. */
        allowedHosts: z.array(z.string().min(1)).default([]),
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
        /**
         * How often every table is vacuumed and analyzed where no
         * autovacuum runs (embedded PGlite, `autovacuum = off`); 0 = never.
         */
        upkeepIntervalMs: z
          .number()
          .int()
          .min(0)
          .default(60 * 60_000),
      })
      .strict()
      .prefault({}),
    intake: z
      .object({
        /** Bearer secret the registry sends with each notification. */
        secret: z.string().default(''),
        /** Walks the upstream for images no event announced (0 = never). */
        reconcile: z
          .object({
            onStart: z.boolean().default(true),
            intervalMs: z
              .number()
              .int()
              .min(0)
              .default(15 * 60_000),
            maxRepositories: z.number().int().positive().default(10_000),
            maxTagsPerRepository: z.number().int().positive().default(10_000),
          })
          .strict()
          .prefault({}),
        /** More webhook sources, each at `POST /webhooks/<name>`. */
        sources: z
          .record(z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/), intakeSource)
          .default({}),
      })
      .strict()
      .prefault({}),
    admin: z
      .object({
        /**
         * An admin token accepted as `bootstrap` (role admin), for a first
         * login where the CLI cannot reach the data directory (PostgreSQL,
         * Kubernetes). Give it by env (`CUSTOMS_ADMIN__BOOTSTRAPTOKEN[_FILE]`);
         * empty = none.
         */
        bootstrapToken: z.string().default(''),
      })
      .strict()
      .prefault({}),
    policy: z
      .object({
        /**
         * Longest wait between two checks for expired exceptions and
         * break-glass grants; each expiry is also timed to the millisecond.
         */
        expirySweepIntervalMs: z.number().int().positive().default(60_000),
      })
      .strict()
      .prefault({}),
    rules: z
      .object({
        /** Trust rules file; empty = the built-in rules (config/rules.example.yaml). */
        file: z.string().default(''),
        /** How often the rules file (or, without one, the stored version) is checked for a change. */
        pollIntervalMs: z.number().int().positive().default(2_000),
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
        secrets: scanSecrets.prefault({}),
        malware: scanMalware.prefault({}),
        baseImages: z.array(baseImage).default([]),
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
    cache: cache.default({ driver: 'none' }),
    harborAdapter: z
      .object({
        /** Serve the Harbor Pluggable Scanner API at /harbor/api/v1. */
        enabled: z.boolean().default(false),
        /** The Authorization value Harbor's scanner registration sends ("Bearer …"). */
        secret: z.string().default(''),
      })
      .strict()
      // Fail closed: the adapter starts scans, so it never runs unauthenticated.
      .refine((a) => !a.enabled || a.secret.length > 0, {
        message: 'harborAdapter.enabled needs harborAdapter.secret',
        path: ['secret'],
      })
      .prefault({}),
    door: z
      .object({
        /** A first pull of an unjudged image waits this long for its scan. */
        holdUnjudgedMs: z.number().int().min(0).max(600_000).default(30_000),
        /** Pulls without credentials; false = every pull needs an account or token. */
        anonymous: z.boolean().default(true),
        /** Host names bound to an environment (`prod.registry.example: prod`). */
        hosts: z.record(z.string().min(1), z.string().min(1)).default({}),
        /** Lifetime of a pull token issued at `/token`. */
        tokenTtlSeconds: z.number().int().min(30).max(86_400).default(300),
        /** Base URL clients reach Customs at (token realm); empty = from the Host header. */
        publicUrl: z.string().default(''),
        /** Verdicts kept in memory (dropped on change via LISTEN/NOTIFY). */
        verdictCacheEntries: z.number().int().positive().default(100_000),
        /**
         * How long a tag's digest is reused for pulls and admission
         * reviews by tag; 0 = ask the registry every time. A tag the store
         * hears has moved (push or delete event, reconcile walk,
         * pass-through write) is dropped at once on every replica; the
         * verdict is checked on the digest either way.
         */
        tagCacheMs: z.number().int().min(0).max(300_000).default(1_000),
        /** Tags kept in memory by the tag cache. */
        tagCacheEntries: z.number().int().positive().default(100_000),
        /**
         * Forward the push API to the upstream for credentials with a push
         * grant; false = writes are refused UNSUPPORTED.
         */
        passThroughWrites: z.boolean().default(false),
      })
      .strict()
      .prefault({}),
    admission: z
      .object({
        /** Environment judged when the webhook URL names none. */
        defaultEnvironment: z.string().min(1).optional(),
        /**
         * Namespace → environment, for webhooks whose URL names no
         * environment (an AdmissionReview carries no namespace labels).
         */
        namespaceEnvironments: z.record(z.string(), z.string()).default({}),
        /**
         * Honour the ImagePolicyWebhook break-glass annotation
         * (`*.image-policy.k8s.io/break-glass: "true"`) without a grant.
         * Off: only a stored break-glass grant admits; the annotation is
         * audited either way.
         */
        breakGlassAnnotation: z.boolean().default(false),
        /** When an image cannot be judged (tag unknown, upstream down): deny (fail closed) or allow. */
        onError: z.enum(['deny', 'allow']).default('deny'),
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
    vulndb: z
      .object({
        /** Imports from a mirror URL (`customs vulndb import https://…`). */
        download: z
          .object({
            timeoutMs: z.number().int().positive().default(60_000),
            maxBytes: z
              .number()
              .int()
              .positive()
              .default(4 * 1024 ** 3),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
    events: z
      .object({
        /** CloudEvents `source` attribute of every event sent. */
        source: z.string().min(1).default('/customs'),
        sinks: z.preprocess(fromJson, z.array(eventSink)).default([]),
        pollIntervalMs: z.number().int().positive().default(1_000),
        timeoutMs: z.number().int().positive().default(10_000),
        retryBaseMs: z.number().int().positive().default(1_000),
        retryMaxMs: z.number().int().positive().default(300_000),
        retentionHours: z.number().int().positive().default(168),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type Config = z.infer<typeof configSchema>;
export type ScanLimits = Config['scan']['limits'];
