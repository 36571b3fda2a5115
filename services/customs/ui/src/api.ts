/** The public admin API, called with the token the user logged in with. */

const TOKEN_KEY = 'customs.token';

/** An API answer that was not 2xx: status, code and message of its error body. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Every problem, when the API lists them (`error.details.problems`). */
    readonly problems: string[] = [],
  ) {
    super(message);
  }
}

export function token(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function setToken(value: string | null): void {
  if (value === null) sessionStorage.removeItem(TOKEN_KEY);
  else sessionStorage.setItem(TOKEN_KEY, value);
}

/** Calls `/api/v1<path>`; throws ApiError for a non-2xx answer. */
export async function api<T>(
  path: string,
  init: { method?: string; body?: unknown } = {},
): Promise<T> {
  const res = await fetch(`/api/v1${path}`, {
    method: init.method ?? 'GET',
    headers: {
      Authorization: `Bearer ${token() ?? ''}`,
      ...(init.body === undefined
        ? {}
        : { 'Content-Type': 'application/json' }),
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  if (!res.ok) throw await toApiError(res);
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}

/** Fetches a file of the API (an SBOM) as a Blob. */
export async function download(path: string): Promise<Blob> {
  const res = await fetch(`/api/v1${path}`, {
    headers: { Authorization: `Bearer ${token() ?? ''}` },
  });
  if (!res.ok) throw await toApiError(res);
  return res.blob();
}

async function toApiError(res: Response): Promise<ApiError> {
  try {
    const body = (await res.json()) as {
      error?: {
        code?: string;
        message?: string;
        details?: { problems?: string[] };
      };
    };
    return new ApiError(
      res.status,
      body.error?.code ?? `HTTP_${res.status}`,
      body.error?.message ?? res.statusText,
      body.error?.details?.problems,
    );
  } catch {
    return new ApiError(res.status, `HTTP_${res.status}`, res.statusText);
  }
}
