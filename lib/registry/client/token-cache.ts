/**
 * Bearer tokens by scope, kept until shortly before they expire.
 * The token spec (https://distribution.github.io/distribution/spec/auth/token/)
 * says `expires_in` defaults to 60 s.
 */

/** Lifetime assumed when the token endpoint sends no `expires_in`. */
export const DEFAULT_TOKEN_TTL_SECONDS = 60;
/** Tokens are dropped this long before they expire (clock skew, latency). */
export const TOKEN_EXPIRY_MARGIN_MS = 10_000;
const MAX_ENTRIES = 1_000;

/** A small expiring map from scope key to token. Not shared between upstreams. */
export class TokenCache {
  readonly #now: () => number;
  readonly #entries = new Map<string, { token: string; expiresAt: number }>();

  /** `now` is injectable so expiry is testable without sleeping. */
  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** The token for `key`, or undefined when missing or about to expire. */
  get(key: string): string | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= this.#now()) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry.token;
  }

  /**
   * Stores `token` for `expiresInSeconds` (default 60) minus a margin of
   * 10 s, or of a quarter of the lifetime for short-lived tokens, so a
   * token is never sent in its last moments.
   */
  set(key: string, token: string, expiresInSeconds?: number): void {
    const ttlMs =
      expiresInSeconds !== undefined && expiresInSeconds > 0
        ? expiresInSeconds * 1000
        : DEFAULT_TOKEN_TTL_SECONDS * 1000;
    const margin = Math.min(TOKEN_EXPIRY_MARGIN_MS, ttlMs / 4);
    if (this.#entries.size >= MAX_ENTRIES) this.#evict();
    this.#entries.delete(key); // re-insert so Map order stays oldest-first
    this.#entries.set(key, { token, expiresAt: this.#now() + ttlMs - margin });
  }

  /** Forgets `key` (a token the registry just refused). */
  delete(key: string): void {
    this.#entries.delete(key);
  }

  /** Drops expired entries, then the oldest if still full. */
  #evict(): void {
    const now = this.#now();
    for (const [key, entry] of this.#entries) {
      if (entry.expiresAt <= now) this.#entries.delete(key);
    }
    if (this.#entries.size >= MAX_ENTRIES) {
      const oldest = this.#entries.keys().next();
      if (oldest.done !== true) this.#entries.delete(oldest.value);
    }
  }
}
