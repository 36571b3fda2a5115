import type { Logger } from 'pino';
import type { Digest } from '../../core/digest.js';
import { countCacheLookup } from '../../metrics/metrics.js';
import {
  Subscription,
  type Announcements,
} from '../../storage/announcements.js';
import type { UpstreamClient } from '../client/upstream-client.js';

/** Resolves a tag to the digest it names now; undefined = no such tag. */
export type TagResolver = (
  repository: string,
  tag: string,
  accept: readonly string[],
) => Promise<Digest | undefined>;

/** Every lookup asked of the upstream (no cache): a HEAD by tag. */
export function upstreamTagResolver(
  upstream: Pick<UpstreamClient, 'headManifest'>,
): TagResolver {
  return async (repository, tag, accept) =>
    (await upstream.headManifest(repository, tag, { accept }))?.digest;
}

export interface TagCacheOptions {
  /** The upstream lookup behind the cache. */
  resolve: TagResolver;
  /** How long a resolved tag is reused. */
  ttlMs: number;
  /** Most tags kept; the oldest are dropped beyond it. */
  maxEntries: number;
  /** The store's NOTIFY of moved or deleted tags (`repo:tag`). */
  notifications: Announcements;
  channel: string;
  logger: Logger;
  now?: () => number;
}

interface Entry {
  digest: Promise<Digest | undefined>;
  expires: number;
}

/**
 * Tag → digest answers reused for a short time, so a pull by tag does not
 * wait for the registry every time. Only the name is cached: the verdict is
 * still checked on the digest and what is served is read by digest, so a
 * stale answer can only serve the image the tag named a moment ago, and
 * only if that image is eligible. A tag is dropped as soon as the store
 * announces that it moved or went (a push or delete event, a reconcile
 * walk, a pass-through write), on every replica; the TTL bounds what no
 * announcement reaches. An unknown tag is never remembered (it may be
 * pushed next), and concurrent lookups of one tag share one request.
 */
export class TagCache {
  readonly #options: TagCacheOptions;
  /** `repo:tag` → accept list → entry. */
  readonly #tags = new Map<string, Map<string, Entry>>();
  readonly #subscription: Subscription;
  readonly #now: () => number;

  constructor(options: TagCacheOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#subscription = new Subscription({
      announcements: options.notifications,
      channel: options.channel,
      onPayload: (payload) => this.#onMoved(payload),
      onLost: () => this.#tags.clear(),
      logger: options.logger,
    });
  }

  /** Subscribes to tag announcements; until then every lookup goes upstream. */
  start(): Promise<void> {
    return this.#subscription.start();
  }

  close(): Promise<void> {
    return this.#subscription.close();
  }

  readonly resolve: TagResolver = (repository, tag, accept) => {
    if (!this.#subscription.connected)
      return this.#options.resolve(repository, tag, accept);
    const name = `${repository}:${tag}`;
    const variant = accept.join(',');
    const variants = this.#tags.get(name);
    const cached = variants?.get(variant);
    if (cached && cached.expires > this.#now()) {
      countCacheLookup('tag', 'hit');
      return cached.digest;
    }
    countCacheLookup('tag', 'miss');
    const digest = this.#options.resolve(repository, tag, accept);
    const entry: Entry = {
      digest,
      expires: this.#now() + this.#options.ttlMs,
    };
    this.#remember(name, variant, entry);
    const forget = (): void => {
      const current = this.#tags.get(name);
      if (current?.get(variant) !== entry) return;
      current.delete(variant);
      if (current.size === 0) this.#tags.delete(name);
    };
    digest.then((d) => d === undefined && forget(), forget);
    return digest;
  };

  /** Drops a tag now (a write through this replica moved it). */
  drop(repository: string, tag: string): void {
    this.#tags.delete(`${repository}:${tag}`);
  }

  #remember(name: string, variant: string, entry: Entry): void {
    // Re-inserted at the end: the Map's order is least recently resolved first.
    const variants = this.#tags.get(name) ?? new Map<string, Entry>();
    this.#tags.delete(name);
    variants.set(variant, entry);
    this.#tags.set(name, variants);
    if (this.#tags.size > this.#options.maxEntries) {
      const oldest = this.#tags.keys().next();
      if (!oldest.done) this.#tags.delete(oldest.value);
    }
  }

  #onMoved(payload: string): void {
    let names: unknown;
    try {
      names = JSON.parse(payload);
    } catch {
      names = undefined;
    }
    if (!Array.isArray(names)) {
      // Not ours: drop everything rather than keep what may be stale.
      this.#tags.clear();
      return;
    }
    for (const name of names)
      if (typeof name === 'string') this.#tags.delete(name);
  }
}
