/**
 * OCI distribution error codes, each listed once with its HTTP status and
 * message, as registered by distribution's `registry/api/errcode/register.go`
 * and the OCI distribution-spec "Error Codes" section
 * (https://github.com/opencontainers/distribution-spec/blob/main/spec.md#error-codes).
 * Handlers never pick a status themselves.
 */
export const OCI_ERRORS = {
  BLOB_UNKNOWN: { status: 404, message: 'blob unknown to registry' },
  BLOB_UPLOAD_INVALID: { status: 404, message: 'blob upload invalid' },
  BLOB_UPLOAD_UNKNOWN: {
    status: 404,
    message: 'blob upload unknown to registry',
  },
  DIGEST_INVALID: {
    status: 400,
    message: 'provided digest did not match uploaded content',
  },
  MANIFEST_BLOB_UNKNOWN: {
    status: 400,
    message: 'manifest references a manifest or blob unknown to registry',
  },
  MANIFEST_INVALID: { status: 400, message: 'manifest invalid' },
  MANIFEST_UNKNOWN: { status: 404, message: 'manifest unknown to registry' },
  NAME_INVALID: { status: 400, message: 'invalid repository name' },
  NAME_UNKNOWN: {
    status: 404,
    message: 'repository name not known to registry',
  },
  SIZE_INVALID: {
    status: 400,
    message: 'provided length did not match content length',
  },
  UNAUTHORIZED: { status: 401, message: 'authentication required' },
  DENIED: {
    status: 403,
    message: 'requested access to the resource is denied',
  },
  UNSUPPORTED: { status: 405, message: 'the operation is unsupported' },
  TOOMANYREQUESTS: { status: 429, message: 'too many requests' },
  UNKNOWN: { status: 500, message: 'internal error' },
  UNAVAILABLE: { status: 503, message: 'service unavailable' },
} as const satisfies Record<string, { status: number; message: string }>;

export type OciErrorCode = keyof typeof OCI_ERRORS;

/** One entry of an OCI error body. */
export interface OciErrorEntry {
  code: OciErrorCode;
  message: string;
  detail?: unknown;
}

/** A door-level failure: an OCI code plus optional detail and headers. */
export class OciError extends Error {
  readonly code: OciErrorCode;
  readonly detail: unknown;
  readonly headers: Record<string, string>;

  constructor(
    code: OciErrorCode,
    options: {
      message?: string;
      detail?: unknown;
      headers?: Record<string, string>;
    } = {},
  ) {
    super(options.message ?? OCI_ERRORS[code].message);
    this.name = 'OciError';
    this.code = code;
    this.detail = options.detail;
    this.headers = options.headers ?? {};
  }

  get status(): number {
    return OCI_ERRORS[this.code].status;
  }

  /** The JSON body `{"errors":[{code,message,detail}]}`. */
  toBody(): { errors: OciErrorEntry[] } {
    const entry: OciErrorEntry = { code: this.code, message: this.message };
    if (this.detail !== undefined) entry.detail = this.detail;
    return { errors: [entry] };
  }
}
