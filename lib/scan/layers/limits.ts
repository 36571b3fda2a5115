/**
 * Extraction limits (STYLE.md §3), named config values. They bound what a
 * hostile layer can cost: CPU and time (`maxLayerBytes`, `maxEntries`),
 * memory (`maxFileBytes` per buffered file) and symlink resolution.
 */
import { ScanError } from '../../core/errors.js';

/** Limits of one layer walk; every value must be a positive integer. */
export interface ExtractLimits {
  /** Max uncompressed bytes of one layer (a gzip bomb stops here). */
  maxLayerBytes: number;
  /** Max size of a file a detector reads (only matched files are buffered). */
  maxFileBytes: number;
  /** Max tar entries of one layer. */
  maxEntries: number;
  /** Max symlinks followed to resolve one path in the merged view. */
  maxSymlinkDepth: number;
}

/**
 * A ScanError `EXTRACT_LIMIT_EXCEEDED` whose details name the limit, its
 * value, and what was being read.
 */
export function limitExceeded(
  limit: keyof ExtractLimits | 'maxMetaEntryBytes',
  value: number,
  details: Record<string, unknown> = {},
): ScanError {
  return new ScanError(
    'EXTRACT_LIMIT_EXCEEDED',
    `layer exceeds ${limit} (${value})`,
    {
      details: { limit, value, ...details },
    },
  );
}
