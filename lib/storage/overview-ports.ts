import type { Digest } from '../core/digest.js';

/** One repository as the dashboard lists it. */
export interface RepositorySummary {
  repository: string;
  /** Images and indexes (not signatures, not an index's platform images). */
  images: number;
  lastSeenAt: string;
}

/** The badge of one environment: a verdict status, or a break-glass grant. */
export type EnvironmentBadge =
  'eligible' | 'ineligible' | 'pending' | 'break-glass';

/** One image (manifest or index digest in a repository), as the dashboard lists it. */
export interface ImageRow {
  repository: string;
  digest: Digest;
  kind: string;
  tags: string[];
  firstSeenAt: string;
  scan: {
    status: string;
    finishedAt: string | null;
    errorCode: string | null;
  } | null;
  /** Vulnerability-data snapshot the findings were matched against. */
  snapshotId: number | null;
  verdicts: Record<string, { status: EnvironmentBadge; computedAt: string }>;
  /** Identities of verified signatures. */
  signers: string[];
}

/** Jobs of one queue: waiting, running, and the age of the oldest waiting. */
export interface QueueStat {
  queue: string;
  waiting: number;
  active: number;
  failed: number;
  oldestWaitingSeconds: number;
}

/** What intake has done lately: events, failed scans, queues. */
export interface IntakeStatus {
  events: Array<{
    source: string;
    eventId: string;
    receivedAt: string;
    action: string;
    repository: string;
    digest: string | null;
    tag: string | null;
    outcome: string;
  }>;
  failures: Array<{
    digest: Digest;
    repositories: string[];
    errorCode: string | null;
    errorMessage: string | null;
    at: string;
  }>;
  queues: QueueStat[];
}

/** Read models of the dashboard and of `/metrics` (no writes). */
export interface OverviewStore {
  repositories(): Promise<RepositorySummary[]>;
  /**
   * Images ordered by repository then digest; `cursor` is the `next` of the
   * previous page (opaque). At most `limit` rows.
   */
  images(query: {
    repository?: string | undefined;
    limit: number;
    cursor?: string | undefined;
  }): Promise<{ images: ImageRow[]; next: string | null }>;
  intakeStatus(limit: number): Promise<IntakeStatus>;
  queues(): Promise<QueueStat[]>;
}
