import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * True when the Authorization header carries `Bearer <secret>`. Compares
 * hashes in constant time; an empty configured secret accepts nothing
 * (intake fails closed when it is not configured).
 */
export function isBearerAuthorized(
  header: string | undefined,
  secret: string,
): boolean {
  if (!secret || !header) return false;
  const match = /^Bearer\s+(.+)$/i.exec(header.trim());
  if (!match?.[1]) return false;
  const given = createHash('sha256').update(match[1]).digest();
  const expected = createHash('sha256').update(secret).digest();
  return timingSafeEqual(given, expected);
}
