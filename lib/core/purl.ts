/**
 * Package URLs (purl), https://github.com/package-url/purl-spec
 * ("Character encoding" and "Rules for each purl component").
 */
export interface PurlParts {
  /** Package type, e.g. `deb`, `npm`; lower-cased. */
  type: string;
  /** Namespace segments joined by `/`, e.g. `debian`; each segment is encoded. */
  namespace?: string | undefined;
  name: string;
  version?: string | undefined;
  /** Qualifiers; undefined or empty values are left out, keys are sorted. */
  qualifiers?: Record<string, string | undefined> | undefined;
}

// The spec's "allowed set" (alphanumerics and `.-_~`) plus the colon, which
// "MUST NOT be percent-encoded" wherever it appears.
const NOT_ENCODED_RE = /^[A-Za-z0-9._~:-]$/;
const UTF8 = new TextEncoder();

/**
 * Formats a canonical purl: `pkg:type/namespace/name@version?k=v&k=v`.
 * Every other character is percent-encoded as UTF-8 (so `+` → `%2B`,
 * ` ` → `%20`), qualifier keys are lower-cased and sorted.
 */
export function formatPurl(parts: PurlParts): string {
  let out = `pkg:${parts.type.toLowerCase()}/`;
  if (parts.namespace !== undefined && parts.namespace !== '') {
    out += parts.namespace.split('/').map(encodePurlComponent).join('/') + '/';
  }
  out += encodePurlComponent(parts.name);
  if (parts.version !== undefined && parts.version !== '') {
    out += '@' + encodePurlComponent(parts.version);
  }
  const qualifiers = Object.entries(parts.qualifiers ?? {})
    .filter((kv): kv is [string, string] => kv[1] !== undefined && kv[1] !== '')
    .map(([k, v]): [string, string] => [k.toLowerCase(), v])
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (qualifiers.length > 0) {
    out +=
      '?' +
      qualifiers.map(([k, v]) => `${k}=${encodePurlComponent(v)}`).join('&');
  }
  return out;
}

/** Percent-encodes one purl component per the spec's character rules. */
export function encodePurlComponent(value: string): string {
  let out = '';
  for (const ch of value) {
    if (NOT_ENCODED_RE.test(ch)) {
      out += ch;
      continue;
    }
    for (const byte of UTF8.encode(ch)) {
      out += '%' + byte.toString(16).toUpperCase().padStart(2, '0');
    }
  }
  return out;
}
