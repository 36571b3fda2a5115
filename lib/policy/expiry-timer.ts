import type { Logger } from 'pino';
import type { BreakGlassGrant, PolicyException } from '../core/overrides.js';
import type {
  AuditLog,
  BreakGlassStore,
  ExceptionStore,
  ImageName,
} from '../storage/admin-ports.js';
import { SYSTEM_ACTOR } from './verdict-changes.js';

/** A timer function pair; a test passes its own to control the clock. */
export interface TimerFunctions {
  set(fn: () => void, delayMs: number): unknown;
  clear(handle: unknown): void;
}

export interface ExpiryTimerDeps {
  stores: {
    exceptions: Pick<
      ExceptionStore,
      'list' | 'expiredBetween' | 'imagesCiting'
    >;
    breakGlass: Pick<
      BreakGlassStore,
      'list' | 'expiredBetween' | 'announceExpired'
    >;
    audit: Pick<AuditLog, 'append'>;
  };
  /** Judges the images again (and the indexes listing them). */
  rejudge(images: ImageName[], cause: string): Promise<void>;
  now(): number;
  /** Longest wait between two checks (a sweep that catches anything missed). */
  sweepIntervalMs: number;
  /** How far back the first check looks (expiries while no process ran). */
  lookbackMs: number;
  logger: Logger;
  timers?: TimerFunctions;
  /**
   * Other times at which verdicts change by themselves (vulnerability
   * data, a fix or a scan growing older than a limit).
   */
  deadlines?: DeadlineSource[] | undefined;
}

/** Times at which verdicts change by themselves, and what to do then. */
export interface DeadlineSource {
  /** The first such time at or after `after` (ms since the epoch), if any. */
  next(after: number): Promise<number | undefined>;
  /** Re-judges what changes at the times in [from, until). */
  reached(from: number, until: number): Promise<void>;
}

const NODE_TIMERS: TimerFunctions = {
  set: (fn, delayMs) => setTimeout(fn, delayMs).unref(),
  clear: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/**
 * Makes exceptions and break-glass grants stop counting at their expiry,
 * not at the next scan: a timer set for the next expiry (at most
 * `sweepIntervalMs` away) re-judges the images each expired one concerns,
 * announces expired grants and audits both. `reschedule()` after a new
 * exception or grant, so an earlier expiry is not missed. The same timer
 * serves every other deadline source (`deps.deadlines`).
 */
export class ExpiryTimer {
  readonly #deps: ExpiryTimerDeps;
  readonly #timers: TimerFunctions;
  #handle: unknown;
  #checkedUntil: number;
  #running: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(deps: ExpiryTimerDeps) {
    this.#deps = deps;
    this.#timers = deps.timers ?? NODE_TIMERS;
    this.#checkedUntil = deps.now() - deps.lookbackMs;
  }

  /** Runs the first check now and keeps the timer going until close(). */
  start(): Promise<void> {
    return this.#check();
  }

  /** Sets the timer again from the stored expiries (after a change). */
  async reschedule(): Promise<void> {
    if (this.#closed) return;
    const at = new Date(this.#deps.now()).toISOString();
    const [exceptions, grants] = await Promise.all([
      this.#deps.stores.exceptions.list({ inForceAt: at }),
      this.#deps.stores.breakGlass.list({ inForceAt: at }),
    ]);
    const deadlines = await Promise.all(
      (this.#deps.deadlines ?? []).map((d) => d.next(this.#checkedUntil)),
    );
    const next = Math.min(
      ...[...exceptions, ...grants].map((x) => Date.parse(x.expiresAt)),
      ...deadlines.map((d) => d ?? Infinity),
    );
    const delay = Math.max(
      0,
      Math.min(next - this.#deps.now(), this.#deps.sweepIntervalMs),
    );
    if (this.#handle !== undefined) this.#timers.clear(this.#handle);
    this.#handle = this.#timers.set(() => void this.#check(), delay);
  }

  /** Stops the timer; waits for a check under way. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#handle !== undefined) this.#timers.clear(this.#handle);
    await this.#running;
  }

  /** One check at a time: expiries up to now, then the next timer. */
  #check(): Promise<void> {
    this.#running = this.#running.then(async () => {
      if (this.#closed) return;
      try {
        await this.#expireDue();
      } catch (err: unknown) {
        this.#deps.logger.error({ err }, 'failed to apply expiries');
      }
      await this.reschedule().catch((err: unknown) =>
        this.#deps.logger.error({ err }, 'failed to schedule expiries'),
      );
    });
    return this.#running;
  }

  async #expireDue(): Promise<void> {
    const { stores } = this.#deps;
    // Expiry is exclusive (in force while expiresAt > now), so an item
    // expiring exactly now is due.
    const until = this.#deps.now() + 1;
    const since = new Date(this.#checkedUntil).toISOString();
    const end = new Date(until).toISOString();
    const [exceptions, grants] = await Promise.all([
      stores.exceptions.expiredBetween(since, end),
      stores.breakGlass.expiredBetween(since, end),
    ]);
    for (const e of exceptions) await this.#expireException(e);
    for (const g of grants) await this.#expireGrant(g);
    for (const source of this.#deps.deadlines ?? []) {
      const deadline = await source.next(this.#checkedUntil);
      if (deadline !== undefined && deadline < until)
        await source.reached(this.#checkedUntil, until);
    }
    this.#checkedUntil = until;
  }

  async #expireException(e: PolicyException): Promise<void> {
    const images = await this.#deps.stores.exceptions.imagesCiting(e.id);
    await this.#deps.rejudge(images, `exception ${e.id} expired`);
    this.#deps.logger.info(
      { exceptionId: e.id, images: images.length },
      'exception expired',
    );
  }

  async #expireGrant(g: BreakGlassGrant): Promise<void> {
    const { stores } = this.#deps;
    await this.#deps.rejudge(
      [{ repository: g.repository, digest: g.digest }],
      `break-glass grant ${g.id} expired`,
    );
    // Announced and audited once, whichever replica sees it first.
    if (await stores.breakGlass.announceExpired(g)) {
      await stores.audit.append([
        {
          actor: SYSTEM_ACTOR,
          action: 'break-glass.expire',
          target: `break-glass/${g.id}`,
          before: g,
          after: null,
        },
      ]);
    }
    this.#deps.logger.info(
      { grantId: g.id, repository: g.repository, digest: g.digest },
      'break-glass grant expired',
    );
  }
}
