import { countCacheLookup } from '../metrics/metrics.js';
import type { Logger } from 'pino';
import type { Digest } from '../core/digest.js';
import type { Verdict } from '../core/verdict.js';
import { Subscription, type Announcements } from '../storage/announcements.js';
import type { VerdictSource } from './verdict-source.js';

export interface VerdictCacheOptions {
  source: VerdictSource;
  /** The store's NOTIFY of written images (`repo@digest`). */
  notifications: Announcements;
  channel: string;
  /** Most verdicts kept; the oldest entries are dropped beyond it. */
  maxEntries: number;
  logger: Logger;
}

/** `repo@digest#environment`: #onWritten drops keys by the part before `#`. */
function verdictKey(
  repository: string,
  digest: Digest,
  environment: string,
): string {
  return `${repository}@${digest}#${environment}`;
}

/** A verdict read, and its answer once it has one. */
interface CachedVerdict {
  read: Promise<Verdict | undefined>;
  settled: boolean;
  value: Verdict | undefined;
}

interface Waiter {
  resolve(): void;
}

/**
 * Verdicts held in process so a pull or an admission query does not wait
 * for a query. Entries are dropped when the database announces a write of
 * that image (LISTEN/NOTIFY, so every replica drops them), and everything is
 * dropped when the subscription is lost (missed announcements) until it is
 * back. Subjects of referrers never change (manifests are immutable), so
 * they are kept until evicted; an unknown manifest is not remembered.
 */
export class VerdictCache implements VerdictSource {
  readonly #options: VerdictCacheOptions;
  readonly #verdicts = new Map<string, CachedVerdict>();
  readonly #subjects = new Map<Digest, Digest | null>();
  readonly #waiters = new Map<string, Set<Waiter>>();
  readonly #subscription: Subscription;
  hits = 0;
  misses = 0;

  constructor(options: VerdictCacheOptions) {
    this.#options = options;
    this.#subscription = new Subscription({
      announcements: options.notifications,
      channel: options.channel,
      onPayload: (payload) => this.#onWritten(payload),
      onLost: () => this.#verdicts.clear(),
      logger: options.logger,
    });
  }

  /** Subscribes to write announcements; until then nothing is cached. */
  start(): Promise<void> {
    return this.#subscription.start();
  }

  close(): Promise<void> {
    return this.#subscription.close();
  }

  get #connected(): boolean {
    return this.#subscription.connected;
  }

  async subjectOf(digest: Digest): Promise<Digest | null | undefined> {
    const known = this.#subjects.get(digest);
    if (known !== undefined) return known;
    // Known manifests (with or without a subject) never change; an unknown
    // one may be stored later, so it is asked again.
    const subject = await this.#options.source.subjectOf(digest);
    if (subject !== undefined) this.#remember(this.#subjects, digest, subject);
    return subject;
  }

  verdictOf(
    repository: string,
    digest: Digest,
    environment: string,
  ): Promise<Verdict | undefined> {
    const key = verdictKey(repository, digest, environment);
    const cached = this.#connected ? this.#verdicts.get(key) : undefined;
    if (cached) {
      this.hits++;
      countCacheLookup('verdict', 'hit');
      return cached.read;
    }
    this.misses++;
    countCacheLookup('verdict', 'miss');
    const read = this.#options.source.verdictOf(
      repository,
      digest,
      environment,
    );
    if (this.#connected) {
      const entry: CachedVerdict = { read, settled: false, value: undefined };
      this.#remember(this.#verdicts, key, entry);
      read.then(
        (value) => {
          entry.value = value;
          entry.settled = true;
        },
        () => {
          if (this.#verdicts.get(key) === entry) this.#verdicts.delete(key);
        },
      );
    }
    return read;
  }

  /**
   * What a decision reads, when both answers are in memory already: the
   * doors then answer a pull of a judged image without waiting a turn.
   * Undefined when either must be read.
   */
  knownNow(
    repository: string,
    digest: Digest,
    environment: string,
  ): { judgedDigest: Digest; verdict: Verdict | undefined } | undefined {
    if (!this.#connected) return undefined;
    const subject = this.#subjects.get(digest);
    if (subject === undefined) return undefined;
    const judgedDigest = subject ?? digest;
    const cached = this.#verdicts.get(
      verdictKey(repository, judgedDigest, environment),
    );
    if (!cached?.settled) return undefined;
    this.hits++;
    countCacheLookup('verdict', 'hit');
    return { judgedDigest, verdict: cached.value };
  }

  /**
   * Resolves when a write of `repository@digest` is announced, or after
   * `timeoutMs`, whichever comes first (the door holds a first pull this way).
   */
  written(
    repository: string,
    digest: Digest,
    timeoutMs: number,
  ): Promise<void> {
    const image = `${repository}@${digest}`;
    return new Promise((resolve) => {
      const waiters = this.#waiters.get(image) ?? new Set<Waiter>();
      const waiter: Waiter = { resolve: () => done() };
      const timer = setTimeout(() => done(), timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        waiters.delete(waiter);
        if (waiters.size === 0) this.#waiters.delete(image);
        resolve();
      };
      waiters.add(waiter);
      this.#waiters.set(image, waiters);
    });
  }

  #onWritten(payload: string): void {
    let images: string[];
    try {
      images = JSON.parse(payload) as string[];
    } catch {
      // Not ours: drop everything rather than keep what may be stale.
      this.#verdicts.clear();
      return;
    }
    const written = new Set(images);
    for (const key of this.#verdicts.keys()) {
      if (written.has(key.slice(0, key.lastIndexOf('#'))))
        this.#verdicts.delete(key);
    }
    for (const image of images) {
      for (const waiter of this.#waiters.get(image) ?? []) waiter.resolve();
    }
  }

  #remember<K, V>(map: Map<K, V>, key: K, value: V): void {
    map.set(key, value);
    if (map.size > this.#options.maxEntries) {
      const oldest = map.keys().next();
      if (!oldest.done) map.delete(oldest.value);
    }
  }
}
