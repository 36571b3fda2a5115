import type { Logger } from 'pino';
import { Agent, request } from 'undici';
import { messageOf } from '../core/errors.js';
import type { OutboxEvent, OutboxStore } from '../storage/ports.js';
import {
  CLOUDEVENTS_JSON,
  SIGNATURE_HEADER,
  signBody,
  toCloudEvent,
} from './cloud-event.js';

/** A sink with its secret resolved (services read secretFile). */
export interface EventSink {
  name: string;
  url: string;
  secret: string;
}

/** Configuration (`events.*`) and collaborators of {@link EventDeliverer}. */
export interface EventDelivererOptions {
  outbox: OutboxStore;
  sinks: EventSink[];
  /** CloudEvents `source` attribute. */
  source: string;
  pollIntervalMs: number;
  timeoutMs: number;
  retryBaseMs: number;
  retryMaxMs: number;
  retentionHours: number;
  logger: Logger;
  /** Events claimed per sink and poll. */
  batchSize?: number;
  /** Jitter source; injectable for tests. */
  random?: () => number;
}

const DEFAULT_BATCH = 50;
const PRUNE_EVERY_POLLS = 600;

/**
 * Delivers the outbox to each sink: polls for due events, POSTs each as a
 * structured CloudEvent with the body's HMAC-SHA256 in
 * `X-Customs-Signature`, marks it delivered on 2xx, and otherwise retries
 * it with exponential backoff and jitter (retryBaseMs doubling up to
 * retryMaxMs), forever: a sink that is down loses nothing. At least once:
 * a sink de-duplicates by the CloudEvents `id`.
 */
export class EventDeliverer {
  readonly #options: EventDelivererOptions;
  readonly #agent: Agent;
  readonly #log: Logger;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #polls = 0;
  #stopped = false;

  constructor(options: EventDelivererOptions) {
    this.#options = options;
    this.#log = options.logger.child({ component: 'outbound.events' });
    this.#agent = new Agent({
      connect: { timeout: options.timeoutMs },
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
    });
  }

  /** Registers the sinks and starts polling. */
  async start(): Promise<void> {
    await this.#options.outbox.registerSinks(
      this.#options.sinks.map((s) => s.name),
    );
    this.#schedule(0);
  }

  /** Runs one poll of every sink now; resolves when it is done. */
  async deliverNow(): Promise<number> {
    let sent = 0;
    for (const sink of this.#options.sinks)
      sent += await this.#deliverSink(sink);
    if (++this.#polls % PRUNE_EVERY_POLLS === 0) {
      await this.#options.outbox.prune(
        this.#options.retentionHours * 3_600_000,
        this.#options.sinks.map((s) => s.name),
      );
    }
    return sent;
  }

  /** Stops polling, waits for a poll in progress, closes connections. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#running;
    await this.#agent.close();
  }

  #schedule(delayMs: number): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#running = this.deliverNow()
        .catch((err: unknown) =>
          this.#log.error({ err }, 'failed to poll the event outbox'),
        )
        .then(() => this.#schedule(this.#options.pollIntervalMs));
    }, delayMs);
    this.#timer.unref();
  }

  async #deliverSink(sink: EventSink): Promise<number> {
    const { outbox, timeoutMs } = this.#options;
    const events = await outbox.claim(
      sink.name,
      this.#options.batchSize ?? DEFAULT_BATCH,
      timeoutMs * 2,
    );
    let sent = 0;
    for (const event of events) {
      const failure = await this.#send(sink, event);
      if (failure === undefined) {
        await outbox.delivered(sink.name, event.outboxId);
        sent++;
        continue;
      }
      const retryInMs = this.#backoff(event.attempts);
      await outbox.failed(sink.name, event.outboxId, failure, retryInMs);
      this.#log.warn(
        {
          sink: sink.name,
          eventId: event.eventId,
          attempts: event.attempts,
          retryInMs,
          reason: failure,
        },
        'event delivery failed, will retry',
      );
    }
    return sent;
  }

  /** Undefined when the sink accepted the event, else why not. */
  async #send(
    sink: EventSink,
    event: OutboxEvent,
  ): Promise<string | undefined> {
    const body = Buffer.from(
      JSON.stringify(toCloudEvent(event, this.#options.source)),
    );
    try {
      const response = await request(sink.url, {
        method: 'POST',
        dispatcher: this.#agent,
        headers: {
          'content-type': CLOUDEVENTS_JSON,
          [SIGNATURE_HEADER]: signBody(body, sink.secret),
          'user-agent': 'customs',
        },
        body,
      });
      await response.body.dump();
      if (response.statusCode >= 200 && response.statusCode < 300)
        return undefined;
      return `HTTP ${response.statusCode}`;
    } catch (err: unknown) {
      return messageOf(err);
    }
  }

  /** Exponential backoff with "equal jitter": half fixed, half random. */
  #backoff(attempts: number): number {
    const { retryBaseMs, retryMaxMs } = this.#options;
    const exp = Math.min(
      retryMaxMs,
      retryBaseMs * 2 ** Math.max(0, attempts - 1),
    );
    const random = this.#options.random ?? Math.random;
    return Math.round(exp / 2 + (exp / 2) * random());
  }
}
