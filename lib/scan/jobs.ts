import PgBoss from 'pg-boss';
import type { Logger } from 'pino';
import type { Digest } from '../core/digest.js';
import type { Database } from '../storage/database.js';

/** Scan an image (fetch, detect, match, verify, judge). */
export interface ScanJob {
  repository: string;
  digest: Digest;
  reason: string;
}
/** Verify signatures again and re-judge (a signature arrived). */
export interface ReevaluateJob {
  repository: string;
  digest: Digest;
  reason: string;
  /**
   * The signature manifest the push event announced (and the tag it was
   * pushed under): read by digest, because the registry notifies before it
   * links the tag.
   */
  hint?: { digest: Digest; tag?: string | undefined } | undefined;
}
/** Re-match every stored image (new vulnerability data). */
export interface RematchJob {
  reason: string;
}
/** Walk the upstream for images no event announced. */
export interface ReconcileJob {
  reason: string;
}

export interface JobHandlers {
  scan(job: ScanJob, signal: AbortSignal): Promise<void>;
  reevaluate(job: ReevaluateJob, signal: AbortSignal): Promise<void>;
  rematch(job: RematchJob, signal: AbortSignal): Promise<void>;
  reconcile(job: ReconcileJob, signal: AbortSignal): Promise<void>;
}

export interface JobQueueOptions {
  logger: Logger;
  retryLimit: number;
  /** Workers per queue in this process. */
  concurrency: number;
  /** A job running longer is aborted and retried. */
  timeoutMs: number;
  /**
   * Only this process writes the database (embedded PGlite): every job is
   * queued here and wakes the workers itself, so they poll seldom. Each
   * poll of PGlite runs on the event loop and holds up the doors.
   */
  soleWriter?: boolean;
}

const QUEUES = ['scan', 'reevaluate', 'rematch', 'reconcile'] as const;
type QueueName = (typeof QUEUES)[number];
/** How often idle workers look for jobs another replica queued, or a retry that came due. */
const POLL_SECONDS = 2;
/** The same with no other replica: only retries and lost wake-ups are found this way. */
const SOLE_WRITER_POLL_SECONDS = 10;

/**
 * Durable job queues on the Customs database (pg-boss on PostgreSQL or
 * PGlite): several replicas share the work, a job survives a restart, and
 * failures are retried with backoff. Queues are "stately" with the image as
 * singleton key, so an image is never scanned twice at once and a burst of
 * pushes of one image collapses to one queued job.
 */
export class JobQueue {
  readonly #boss: PgBoss;
  readonly #options: JobQueueOptions;
  readonly #workers = new Map<QueueName, string[]>();

  private constructor(boss: PgBoss, options: JobQueueOptions) {
    this.#boss = boss;
    this.#options = options;
  }

  /** Starts pg-boss (creating its schema once) and the queues. */
  static async start(
    db: Database,
    options: JobQueueOptions,
  ): Promise<JobQueue> {
    const log = options.logger.child({ component: 'jobs' });
    const boss = new PgBoss({
      db: db.jobQueueAdapter(),
      schema: 'pgboss',
      schedule: false,
      supervise: true,
    });
    boss.on('error', (err: Error) =>
      log.error({ err }, 'failed to run job queue maintenance'),
    );
    await boss.start();
    const expireInSeconds = Math.ceil(options.timeoutMs / 1000) + 30;
    for (const name of QUEUES) {
      const queue = {
        name,
        policy:
          name === 'rematch' || name === 'reconcile'
            ? ('singleton' as const)
            : ('stately' as const),
        retryLimit: options.retryLimit,
        retryBackoff: true,
        retryDelay: 2,
        expireInSeconds,
      };
      if (await boss.getQueue(name)) await boss.updateQueue(name, queue);
      else await boss.createQueue(name, queue);
    }
    return new JobQueue(boss, options);
  }

  /** Queues a scan; null when the same image is already queued. */
  sendScan(job: ScanJob): Promise<string | null> {
    return this.#send('scan', job, `${job.repository}@${job.digest}`);
  }

  sendReevaluate(job: ReevaluateJob): Promise<string | null> {
    return this.#send('reevaluate', job, `${job.repository}@${job.digest}`);
  }

  sendRematch(job: RematchJob): Promise<string | null> {
    return this.#send('rematch', job, 'all');
  }

  sendReconcile(job: ReconcileJob): Promise<string | null> {
    return this.#send('reconcile', job, 'all');
  }

  /** Starts `concurrency` workers per queue in this process. */
  async work(handlers: JobHandlers): Promise<void> {
    const run = {
      scan: (data: unknown, s: AbortSignal) =>
        handlers.scan(data as ScanJob, s),
      reevaluate: (data: unknown, s: AbortSignal) =>
        handlers.reevaluate(data as ReevaluateJob, s),
      rematch: (data: unknown, s: AbortSignal) =>
        handlers.rematch(data as RematchJob, s),
      reconcile: (data: unknown, s: AbortSignal) =>
        handlers.reconcile(data as ReconcileJob, s),
    } satisfies Record<
      QueueName,
      (data: unknown, s: AbortSignal) => Promise<void>
    >;
    const pollingIntervalSeconds = this.#options.soleWriter
      ? SOLE_WRITER_POLL_SECONDS
      : POLL_SECONDS;
    for (const name of QUEUES) {
      const ids: string[] = [];
      for (let i = 0; i < this.#options.concurrency; i++) {
        ids.push(
          await this.#boss.work(
            name,
            { batchSize: 1, pollingIntervalSeconds },
            async ([job]) => {
              if (!job) return;
              try {
                await run[name](
                  job.data,
                  AbortSignal.timeout(this.#options.timeoutMs),
                );
              } finally {
                // A job of the same image may have waited for this one
                // (stately queues run one per image at a time).
                this.#wake(name);
              }
            },
          ),
        );
      }
      this.#workers.set(name, ids);
    }
  }

  /** Jobs waiting per queue (for readiness and metrics). */
  async depth(): Promise<Record<QueueName, number>> {
    const sizes = await Promise.all(
      QUEUES.map((q) => this.#boss.getQueueSize(q)),
    );
    return Object.fromEntries(
      QUEUES.map((q, i) => [q, sizes[i] ?? 0]),
    ) as Record<QueueName, number>;
  }

  async stop(): Promise<void> {
    await this.#boss.stop({ graceful: true, wait: true, timeout: 10_000 });
  }

  async #send(
    name: QueueName,
    data: object,
    singletonKey: string,
  ): Promise<string | null> {
    const id = await this.#boss.send(name, data, { singletonKey });
    this.#wake(name);
    return id;
  }

  /** Wakes this process's idle workers of a queue now instead of at their next poll. */
  #wake(name: QueueName): void {
    for (const worker of this.#workers.get(name) ?? [])
      this.#boss.notifyWorker(worker);
  }
}
