import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * Every Prometheus metric of Customs, in one registry. Code that does the
 * work records it with one call (`metrics.scans.inc(...)`); values read from
 * the database (queue depth, data age) are set at scrape time by
 * `services/customs/routes/metrics.ts`. One registry per process: the doors,
 * workers and API of a process share it, like its one root logger.
 */
export const registry = new Registry();

const SECONDS_BUCKETS = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];
const FAST_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];

const CACHES = ['verdict', 'blob', 'tag'] as const;
/** Lookups since start, per cache and result. */
const cacheCounts: Record<
  (typeof CACHES)[number],
  { hit: number; miss: number }
> = {
  verdict: { hit: 0, miss: 0 },
  blob: { hit: 0, miss: 0 },
  tag: { hit: 0, miss: 0 },
};

export const metrics = {
  scans: new Counter({
    name: 'customs_scans_total',
    help: 'Image scans finished, by outcome (done, failed).',
    labelNames: ['outcome'] as const,
    registers: [registry],
  }),
  scanDuration: new Histogram({
    name: 'customs_scan_duration_seconds',
    help: 'Time to read and analyse the layers of one image.',
    buckets: SECONDS_BUCKETS,
    registers: [registry],
  }),
  scanFailures: new Counter({
    name: 'customs_scan_failures_total',
    help: 'Failed scans, by error code (EXTRACT_PATH_ESCAPE, UPSTREAM_UNAVAILABLE, ...).',
    labelNames: ['reason'] as const,
    registers: [registry],
  }),
  queueDepth: new Gauge({
    name: 'customs_queue_depth',
    help: 'Jobs waiting, per queue (scan, reevaluate, rematch, reconcile).',
    labelNames: ['queue'] as const,
    registers: [registry],
  }),
  queueAge: new Gauge({
    name: 'customs_queue_oldest_age_seconds',
    help: 'Age of the oldest waiting job, per queue (0 when none waits).',
    labelNames: ['queue'] as const,
    registers: [registry],
  }),
  intakeEvents: new Counter({
    name: 'customs_intake_events_total',
    help: 'Registry events received, by webhook source and outcome (accepted, duplicate, ignored, unauthorized, invalid, failed).',
    labelNames: ['source', 'outcome'] as const,
    registers: [registry],
  }),
  doorRequests: new Counter({
    name: 'customs_door_requests_total',
    help: 'Requests of the registry door, by kind, environment and verdict (served, denied, unauthorized, not_found, unavailable, error).',
    labelNames: ['kind', 'environment', 'verdict'] as const,
    registers: [registry],
    // Counted in plain numbers per request (countDoorRequest), handed over here.
    collect() {
      this.reset();
      for (const [kind, environments] of doorCounts)
        for (const [environment, verdicts] of environments)
          for (const [verdict, count] of verdicts)
            this.inc({ kind, environment, verdict }, count.n);
    },
  }),
  refusals: new Counter({
    name: 'customs_refusals_total',
    help: 'Refused images, by door and reason code (one per reason of the refusal).',
    labelNames: ['door', 'reason'] as const,
    registers: [registry],
  }),
  admissionDecisions: new Counter({
    name: 'customs_admission_decisions_total',
    help: 'Images judged at the admission door, by environment and decision (allowed, denied).',
    labelNames: ['environment', 'decision'] as const,
    registers: [registry],
  }),
  admissionDuration: new Histogram({
    name: 'customs_admission_duration_seconds',
    help: 'Time to answer one admission review.',
    buckets: FAST_BUCKETS,
    registers: [registry],
  }),
  upstreamErrors: new Counter({
    name: 'customs_upstream_errors_total',
    help: 'Failed calls to the upstream registry, by error code.',
    labelNames: ['reason'] as const,
    registers: [registry],
  }),
  // Counted in plain numbers on the hot path (a labelled inc hashes its
  // labels on every pull) and handed to the registry at each scrape.
  cacheRequests: new Counter({
    name: 'customs_cache_requests_total',
    help: 'Cache lookups, by cache (verdict, blob, tag) and result (hit, miss).',
    labelNames: ['cache', 'result'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const cache of CACHES) {
        for (const result of ['hit', 'miss'] as const) {
          const n = cacheCounts[cache][result];
          if (n > 0) this.inc({ cache, result }, n);
        }
      }
    },
  }),
  cacheHitRatio: new Gauge({
    name: 'customs_cache_hit_ratio',
    help: 'Hits / lookups since start, per cache (verdict, blob, tag).',
    labelNames: ['cache'] as const,
    registers: [registry],
    collect() {
      for (const cache of CACHES) {
        const { hit, miss } = cacheCounts[cache];
        this.set({ cache }, hit + miss === 0 ? 0 : hit / (hit + miss));
      }
    },
  }),
  vulnDataAge: new Gauge({
    name: 'customs_vulndb_data_age_seconds',
    help: 'Time since the last committed vulnerability data import (-1 when none).',
    registers: [registry],
  }),
};

/** Records one cache lookup (read by the counter and the ratio at each scrape). */
export function countCacheLookup(
  cache: (typeof CACHES)[number],
  result: 'hit' | 'miss',
): void {
  cacheCounts[cache][result]++;
}

/** kind → environment → verdict → requests, for customs_door_requests_total. */
const doorCounts = new Map<string, Map<string, Map<string, { n: number }>>>();

/**
 * Counts one request of the registry door. Nested maps of plain numbers:
 * nothing is allocated once a combination has been seen, where a labelled
 * inc would hash its labels on every pull.
 */
export function countDoorRequest(
  kind: string,
  environment: string,
  verdict: string,
): void {
  let environments = doorCounts.get(kind);
  if (!environments)
    doorCounts.set(
      kind,
      (environments = new Map<string, Map<string, { n: number }>>()),
    );
  let verdicts = environments.get(environment);
  if (!verdicts)
    environments.set(
      environment,
      (verdicts = new Map<string, { n: number }>()),
    );
  const count = verdicts.get(verdict);
  if (count) count.n++;
  else verdicts.set(verdict, { n: 1 });
}

/** The door's answer, named for `customs_door_requests_total` by HTTP status. */
export function doorVerdictOf(status: number): string {
  if (status < 400) return 'served';
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'denied';
  if (status === 404) return 'not_found';
  if (status === 503) return 'unavailable';
  return 'error';
}

/** Counts one refusal under each of its reason codes. */
export function countRefusal(
  door: 'registry' | 'admission',
  reasons: readonly { code: string }[],
): void {
  for (const { code } of reasons) metrics.refusals.inc({ door, reason: code });
}

/** Counts one image judged at the admission door (and its refusal reasons). */
export function countAdmissionDecision(judged: {
  allowed: boolean;
  environment: string;
  reasons: readonly { code: string }[];
}): void {
  metrics.admissionDecisions.inc({
    environment: judged.environment,
    decision: judged.allowed ? 'allowed' : 'denied',
  });
  if (!judged.allowed)
    countRefusal(
      'admission',
      judged.reasons.length > 0 ? judged.reasons : [{ code: 'UNJUDGEABLE' }],
    );
}
