/**
 * The Location a client of the door should follow instead of one the
 * registry sent: the same `/v2/…` path at Customs (relative, so it stays on
 * whatever host and scheme the client used), with the name as the client
 * wrote it (`dev/team/app`). Undefined — refuse — for a Location on another
 * origin, outside the registry's `/v2/` or outside the repository: the
 * client must never be sent past Customs.
 */
export function localLocation(
  location: string,
  o: { upstreamUrl: string; repository: string; written: string },
): string | undefined {
  const base = new URL(o.upstreamUrl);
  let target: URL;
  try {
    target = new URL(location, base);
  } catch (err: unknown) {
    void err; // an unparsable Location is refused like a foreign one
    return undefined;
  }
  if (target.origin !== base.origin) return undefined;
  const prefix = `${base.pathname.replace(/\/+$/, '')}/v2/${o.repository}/`;
  if (!target.pathname.startsWith(prefix)) return undefined;
  const rest = target.pathname.slice(prefix.length);
  return `/v2/${o.written}/${rest}${target.search}`;
}
