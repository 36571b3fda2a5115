import type {
  BreakGlassStore,
  ExceptionStore,
} from '../storage/admin-ports.js';
import type { Overrides } from './overrides.js';

/** Where judging reads exceptions and grants, and the time it judges at. */
export interface OverrideSource {
  /** Exceptions and grants in force now. */
  load(): Promise<Overrides>;
  now(): number;
}

/** Reads the stores on each call (two small queries per judging batch). */
export function storeOverrideSource(
  stores: {
    exceptions: Pick<ExceptionStore, 'list'>;
    breakGlass: Pick<BreakGlassStore, 'list'>;
  },
  now: () => number = Date.now,
): OverrideSource {
  return {
    now,
    async load() {
      const at = new Date(now()).toISOString();
      const [exceptions, grants] = await Promise.all([
        stores.exceptions.list({ inForceAt: at }),
        stores.breakGlass.list({ inForceAt: at }),
      ]);
      return { exceptions, grants };
    },
  };
}

/** No exceptions, no grants (judging without an override source). */
export const NO_OVERRIDES: Overrides = { exceptions: [], grants: [] };
