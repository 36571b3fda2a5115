/**
 * Base error of every domain error: a stable string `code` callers branch on,
 * optional structured `details` safe to show, and the underlying `cause`.
 * Each area subclasses it with its own code union (see STYLE.md §4).
 */
export class AppError<C extends string = string> extends Error {
  readonly code: C;
  readonly details: Record<string, unknown> | undefined;

  constructor(
    code: C,
    message: string,
    options: { details?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.code = code;
    this.details = options.details;
    this.name = new.target.name;
  }
}

export type ConfigErrorCode = 'CONFIG_INVALID' | 'CONFIG_UNREADABLE';
export class ConfigError extends AppError<ConfigErrorCode> {}

export type StorageErrorCode =
  | 'DATABASE_LOCKED'
  | 'DATABASE_UNAVAILABLE'
  | 'MIGRATION_FAILED'
  | 'BLOB_NOT_FOUND'
  | 'BLOB_DIGEST_MISMATCH'
  | 'BLOB_STORE_UNAVAILABLE'
  | 'NOT_FOUND'
  | 'CURSOR_INVALID';
export class StorageError extends AppError<StorageErrorCode> {}

export type UpstreamErrorCode =
  | 'UPSTREAM_UNAVAILABLE'
  | 'UPSTREAM_UNAUTHORIZED'
  | 'UPSTREAM_DENIED'
  | 'UPSTREAM_NOT_FOUND'
  | 'UPSTREAM_BAD_RESPONSE'
  | 'UPSTREAM_DIGEST_MISMATCH'
  | 'UPSTREAM_TOO_LARGE'
  /** A forwarded write answered with an OCI error (details.ociCode). */
  | 'UPSTREAM_REFUSED';
export class UpstreamError extends AppError<UpstreamErrorCode> {}

export type ScanErrorCode =
  | 'LAYER_FETCH_FAILED'
  | 'LAYER_DIGEST_MISMATCH'
  | 'LAYER_UNSUPPORTED'
  | 'LAYER_CORRUPT'
  | 'EXTRACT_LIMIT_EXCEEDED'
  | 'EXTRACT_PATH_ESCAPE'
  | 'MANIFEST_INVALID'
  | 'DETECTOR_FAILED';
export class ScanError extends AppError<ScanErrorCode> {}

export type IntakeErrorCode =
  'ENVELOPE_INVALID' | 'WEBHOOK_SIGNATURE_INVALID' | 'UNSUPPORTED_MEDIA_TYPE';
export class IntakeError extends AppError<IntakeErrorCode> {}

export type VulnDataErrorCode =
  | 'ADVISORY_INVALID'
  | 'ARCHIVE_INVALID'
  | 'MIRROR_UNAVAILABLE'
  | 'SOURCE_UNREADABLE'
  | 'SOURCE_UNKNOWN'
  | 'SOURCE_INVALID'
  | 'VERSION_INVALID'
  | 'ECOSYSTEM_UNSUPPORTED';
export class VulnDataError extends AppError<VulnDataErrorCode> {}

export type PolicyErrorCode = 'RULES_INVALID' | 'ENVIRONMENT_UNKNOWN';
export class PolicyError extends AppError<PolicyErrorCode> {}

export type ReferenceErrorCode =
  'NAME_INVALID' | 'DIGEST_INVALID' | 'REFERENCE_INVALID';
export class ReferenceError extends AppError<ReferenceErrorCode> {}

/** The code of an AppError, undefined for anything else. */
export function errorCode(err: unknown): string | undefined {
  return err instanceof AppError ? (err as AppError).code : undefined;
}

/** True when `err` is an AppError carrying `code`. */
export function hasCode(err: unknown, code: string): boolean {
  return errorCode(err) === code;
}

/** A short, human message of any thrown value (never a stack). */
export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
