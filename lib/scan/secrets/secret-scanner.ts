/**
 * The secret scan of layer files as the layer walk runs it: which files are
 * read (text files up to a size, outside allowed paths) and what a finding
 * records. Every regular file of every layer is offered, so a secret in a
 * file a later layer deletes is still found (the lower layer is still
 * pullable).
 */
import { createHash } from 'node:crypto';
import type { Digest } from '../../core/digest.js';
import type { SecretFinding } from '../../core/secret-finding.js';
import type { LayerFile } from '../detectors/types.js';
import { isBinary, scanSecrets } from './scan-secrets.js';
import { SECRET_RULES } from './secret-rules.js';

/** The `scan.secrets` configuration. */
export interface SecretsConfig {
  enabled: boolean;
  /** Larger files are not read for secrets. */
  maxFileBytes: number;
  /** Case-insensitive regular expressions of paths never reported. */
  allowPaths: readonly string[];
  /** Rule ids never reported. */
  allowRules: readonly string[];
}

/** The scanner the walk calls; see {@link createSecretScanner}. */
export interface SecretScanner {
  /** Changes whenever the findings of a layer could change (layer cache key). */
  readonly cacheKey: string;
  /** Cheap: should this file's content be read? */
  wants(file: LayerFile): boolean;
  /** The findings of one file; empty for binary content. */
  scan(file: LayerFile, content: Buffer, layerDigest: Digest): SecretFinding[];
}

/**
 * Names of files that are binary by format (shared objects, archives,
 * compiled translations, images, fonts, bytecode): never read, as the NUL
 * check would drop them anyway after buffering them.
 */
const BINARY_NAME_RE =
  /\.(?:so(?:\.\d+)*|a|o|mo|gmo|gz|tgz|xz|bz2|zst|lz4|zip|jar|war|whl|deb|rpm|apk|png|jpe?g|gif|ico|webp|woff2?|ttf|otf|pyc|class|wasm)$/i;

/** Bump when rules or the shape of findings change. */
const SECRET_SCANNER_VERSION = 1;

/**
 * The scanner for `config`, or undefined when secret scanning is off.
 * @throws SyntaxError when an `allowPaths` entry is not a regular expression
 *   (the config schema checks them first).
 */
export function createSecretScanner(
  config: SecretsConfig,
): SecretScanner | undefined {
  if (!config.enabled) return undefined;
  const allowPaths = config.allowPaths.map((p) => new RegExp(p, 'i'));
  const disabledRules = new Set(config.allowRules);
  const cacheKey = createHash('sha256')
    .update(
      JSON.stringify({
        version: SECRET_SCANNER_VERSION,
        rules: SECRET_RULES.map((r) => [r.id, r.pattern.source]),
        ...config,
      }),
    )
    .digest('hex')
    .slice(0, 16);
  return {
    cacheKey,
    wants: (file) =>
      file.sizeBytes > 0 &&
      file.sizeBytes <= config.maxFileBytes &&
      !BINARY_NAME_RE.test(file.path) &&
      !allowPaths.some((re) => re.test(file.path)),
    scan: (file, content, layerDigest) =>
      isBinary(content)
        ? []
        : scanSecrets(content, { disabledRules }).map((hit) => ({
            ruleId: hit.ruleId,
            title: hit.title,
            severity: hit.severity,
            path: file.path,
            layerDigest,
            line: hit.line,
            excerpt: hit.excerpt,
          })),
  };
}
