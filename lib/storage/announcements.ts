import type { Logger } from 'pino';

/** A database's NOTIFY channels, as the in-process caches listen to them. */
export interface Announcements {
  listen(
    channel: string,
    onPayload: (payload: string) => void,
    onLost?: (err: Error) => void,
  ): Promise<() => Promise<void>>;
}

/**
 * A subscription that comes back by itself. While it is down the cache
 * that owns it must not trust what it holds (announcements were missed), so
 * `connected` turns false and `onLost` lets the owner drop everything; the
 * subscription is then retried every second until it is back or closed.
 */
export class Subscription {
  readonly #announcements: Announcements;
  readonly #channel: string;
  readonly #onPayload: (payload: string) => void;
  readonly #onLost: () => void;
  readonly #logger: Logger;
  #unsubscribe: (() => Promise<void>) | undefined;
  #closed = false;
  connected = false;

  constructor(options: {
    announcements: Announcements;
    channel: string;
    onPayload: (payload: string) => void;
    /** Called when announcements may have been missed. */
    onLost: () => void;
    logger: Logger;
  }) {
    this.#announcements = options.announcements;
    this.#channel = options.channel;
    this.#onPayload = options.onPayload;
    this.#onLost = options.onLost;
    this.#logger = options.logger;
  }

  async start(): Promise<void> {
    this.#unsubscribe = await this.#announcements.listen(
      this.#channel,
      this.#onPayload,
      (err) => void this.#lost(err),
    );
    this.connected = true;
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.connected = false;
    await this.#unsubscribe?.();
  }

  async #lost(err: Error): Promise<void> {
    this.connected = false;
    this.#onLost();
    this.#logger.warn(
      { err, channel: this.#channel },
      'announcements lost; cache off until resubscribed',
    );
    while (!this.#closed) {
      try {
        await this.start();
        return;
      } catch (retryErr: unknown) {
        this.#logger.warn(
          { err: retryErr, channel: this.#channel },
          'failed to resubscribe to announcements',
        );
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  }
}
