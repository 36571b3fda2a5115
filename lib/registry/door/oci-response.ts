import type { ServerResponse } from 'node:http';
import { AppError, errorCode } from '../../core/errors.js';
import {
  OCI_ERRORS,
  OciError,
  type OciErrorCode,
} from '../../core/oci-errors.js';

/** Headers on every answer of the door (distribution's API version marker). */
export const API_HEADERS = {
  'Docker-Distribution-API-Version': 'registry/2.0',
} as const;

/** What was being read when an upstream error happened: decides the "unknown" code. */
export type DoorSubject = 'manifest' | 'blob' | 'base' | 'repository';

const UNKNOWN_CODE: Record<DoorSubject, OciErrorCode> = {
  manifest: 'MANIFEST_UNKNOWN',
  blob: 'BLOB_UNKNOWN',
  base: 'NAME_UNKNOWN',
  repository: 'NAME_UNKNOWN',
};

/**
 * The one mapping from domain errors to OCI error codes (STYLE.md §4).
 * Anything unexpected becomes UNKNOWN "internal error": no stack, SQL or
 * upstream body ever reaches the client.
 */
export function toOciError(err: unknown, subject: DoorSubject): OciError {
  if (err instanceof OciError) return err;
  if (!(err instanceof AppError)) return new OciError('UNKNOWN');
  const message = err.message;
  switch (errorCode(err) ?? '') {
    case 'NAME_INVALID':
      return new OciError('NAME_INVALID', { message });
    case 'DIGEST_INVALID':
      return new OciError('DIGEST_INVALID', { message });
    case 'REFERENCE_INVALID':
    case 'UPSTREAM_NOT_FOUND':
      return new OciError(UNKNOWN_CODE[subject]);
    case 'UPSTREAM_UNAVAILABLE':
      return new OciError('UNAVAILABLE', {
        message:
          'the upstream registry is unavailable; nothing is served until it answers',
      });
    case 'UPSTREAM_UNAUTHORIZED':
    case 'UPSTREAM_DENIED':
      // Customs reads with its own service credentials: the client cannot fix this.
      return new OciError('UNAVAILABLE', {
        message: 'the upstream registry refused the credentials of Customs',
      });
    case 'UPSTREAM_REFUSED':
      return refusedWrite(err.details);
    case 'UPSTREAM_DIGEST_MISMATCH':
    case 'UPSTREAM_BAD_RESPONSE':
    case 'UPSTREAM_TOO_LARGE':
      return new OciError('UNAVAILABLE', {
        message:
          'the upstream registry sent content that does not verify; refused',
      });
    default:
      return new OciError('UNKNOWN');
  }
}

/**
 * A forwarded write the registry refused: its OCI code with the standard
 * message (never the registry's own text). Codes about the caller's
 * credentials are not passed on: they concern the credentials of Customs.
 */
function refusedWrite(details: unknown): OciError {
  const code = (details as { ociCode?: unknown } | undefined)?.ociCode;
  const isPassedOn =
    typeof code === 'string' &&
    Object.hasOwn(OCI_ERRORS, code) &&
    code !== 'UNAUTHORIZED' &&
    code !== 'DENIED';
  return new OciError(isPassedOn ? (code as OciErrorCode) : 'UNKNOWN');
}

/** Writes `{"errors":[…]}` with the code's status (no body for HEAD). */
export function writeOciError(
  res: ServerResponse,
  error: OciError,
  isHead: boolean,
): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = isHead ? undefined : Buffer.from(JSON.stringify(error.toBody()));
  res.writeHead(error.status, {
    ...error.headers,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(body?.length ?? 0),
    ...API_HEADERS,
  });
  res.end(body);
}
