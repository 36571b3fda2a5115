import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/**
 * How a webhook source proves itself:
 * - `bearer`: `Authorization: Bearer <secret>` (Distribution's endpoint headers);
 * - `header`: the named header carries exactly the secret (Harbor sends its
 *   policy's "auth header" verbatim; zot its sink credentials);
 * - `hmac`: the named header carries the HMAC-SHA256 of the raw body, hex,
 *   optionally prefixed `sha256=`.
 */
export type SourceAuth =
  | { mode: 'bearer'; secret: string }
  | { mode: 'header'; header: string; secret: string }
  | { mode: 'hmac'; header: string; secret: string };

const HMAC_RE = /^(?:sha256=)?([a-f0-9]{64})$/i;

/**
 * True when the request proves the source's secret. Constant-time
 * comparisons; an empty secret accepts nothing (fail closed).
 */
export function isSourceAuthorized(
  auth: SourceAuth,
  headers: IncomingHttpHeaders,
  raw: Buffer,
): boolean {
  if (!auth.secret) return false;
  switch (auth.mode) {
    case 'bearer': {
      const match = /^Bearer\s+(.+)$/i.exec(
        (headers.authorization ?? '').trim(),
      );
      return match?.[1] !== undefined && sameText(match[1], auth.secret);
    }
    case 'header':
      return sameText(headerValue(headers, auth.header), auth.secret);
    case 'hmac': {
      const given = HMAC_RE.exec(headerValue(headers, auth.header).trim())?.[1];
      if (!given) return false;
      const expected = createHmac('sha256', auth.secret).update(raw).digest();
      return timingSafeEqual(Buffer.from(given.toLowerCase(), 'hex'), expected);
    }
  }
}

function headerValue(headers: IncomingHttpHeaders, name: string): string {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? (value[0] ?? '') : (value ?? '');
}

/** Equal texts, compared through their hashes in constant time. */
function sameText(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}
