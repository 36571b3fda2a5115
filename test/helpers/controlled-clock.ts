import type { TimerFunctions } from '../../lib/policy/expiry-timer.js';

/**
 * A clock a test moves by hand, with timers that fire only when the test
 * advances past them: expiry is tested without waiting and without races.
 */
export class ControlledClock {
  #now: number;
  #timers = new Map<number, { at: number; fn: () => void }>();
  #next = 1;

  constructor(start: string) {
    this.#now = Date.parse(start);
  }

  now = (): number => this.#now;

  iso(offsetMs = 0): string {
    return new Date(this.#now + offsetMs).toISOString();
  }

  readonly timers: TimerFunctions = {
    set: (fn, delayMs) => {
      const id = this.#next++;
      this.#timers.set(id, { at: this.#now + delayMs, fn });
      return id;
    },
    clear: (handle) => void this.#timers.delete(handle as number),
  };

  /** When the earliest pending timer fires, as an offset from now (ms). */
  nextTimerInMs(): number | undefined {
    const ats = [...this.#timers.values()].map((t) => t.at);
    return ats.length === 0 ? undefined : Math.min(...ats) - this.#now;
  }

  /** Moves the clock and runs every timer due by then (in time order). */
  advance(ms: number): void {
    this.#now += ms;
    const due = [...this.#timers.entries()]
      .filter(([, t]) => t.at <= this.#now)
      .sort(([, a], [, b]) => a.at - b.at);
    for (const [id, t] of due) {
      this.#timers.delete(id);
      t.fn();
    }
  }
}
