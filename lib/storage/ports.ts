import type { Advisory } from '../core/advisory.js';
import type { Digest } from '../core/digest.js';
import type { Finding } from '../core/finding.js';
import type { Distribution, ImagePackage } from '../core/package.js';
import type { Verdict, VerdictStatus } from '../core/verdict.js';

/** A notification as stored by intake (idempotent by source + event id). */
export interface WebhookEventRecord {
  source: string;
  eventId: string;
  action: string;
  repository: string;
  digest?: string | undefined;
  tag?: string | undefined;
  mediaType?: string | undefined;
  outcome: string;
  body: unknown;
}

export interface EventStore {
  /** Stores the event; false when it was already stored (a redelivery). */
  record(event: WebhookEventRecord): Promise<boolean>;
  /** Removes an event whose follow-up work could not be queued, so a redelivery retries it. */
  remove(source: string, eventId: string): Promise<void>;
  recent(
    limit: number,
  ): Promise<Array<WebhookEventRecord & { receivedAt: string }>>;
}

export type ManifestKind = 'image' | 'index' | 'signature' | 'artifact';
export type ReferenceRole = 'config' | 'layer' | 'manifest' | 'subject';

export interface ManifestReference {
  role: ReferenceRole;
  digest: Digest;
  mediaType: string;
  sizeBytes: number;
  platform?: string | undefined;
}

export interface ManifestRecord {
  digest: Digest;
  mediaType: string;
  kind: ManifestKind;
  body: Buffer;
  subjectDigest?: Digest | undefined;
  platform?: string | undefined;
  references: ManifestReference[];
}

export interface ManifestStore {
  /** Stores a verified manifest and what it references (idempotent). */
  save(manifest: ManifestRecord, repository: string): Promise<void>;
  get(digest: Digest): Promise<ManifestRecord | undefined>;
  setTag(repository: string, tag: string, digest: Digest): Promise<void>;
  tagsOf(repository: string, digest: Digest): Promise<string[]>;
  /** Repositories known to hold the digest. */
  repositoriesOf(digest: Digest): Promise<string[]>;
  /** Parents (indexes) in the repository that list this manifest. */
  parentsOf(repository: string, digest: Digest): Promise<Digest[]>;
  /**
   * Whether `blob` may be served from `repository` in `environment`:
   * `servable` when a manifest of the repository that references it (as
   * config or layer) is eligible there (a signature's verdict is its
   * subject's); `known` when any manifest of the repository references it.
   */
  blobAccess(
    repository: string,
    blob: Digest,
    environment: string,
  ): Promise<{ servable: boolean; known: boolean }>;
}

export type ScanStatus = 'pending' | 'running' | 'done' | 'failed';

export interface ScanWarningRecord {
  code: string;
  message: string;
  path?: string | undefined;
  layerDigest?: string | undefined;
}

export interface ScanRecord {
  digest: Digest;
  status: ScanStatus;
  attempts: number;
  errorCode?: string | undefined;
  errorMessage?: string | undefined;
  distribution?: Distribution | undefined;
  warnings: ScanWarningRecord[];
  stats: Record<string, number>;
  /** Detectors (name@version) the packages were found with. */
  detectorKey?: string | undefined;
  startedAt?: string | undefined;
  finishedAt?: string | undefined;
  durationMs?: number | undefined;
}

export interface ScanResultInput {
  distribution?: Distribution | undefined;
  packages: ImagePackage[];
  warnings: ScanWarningRecord[];
  stats: Record<string, number>;
  detectorKey: string;
  durationMs: number;
}

export interface ScanStore {
  /** Marks a scan running (counts an attempt); creates it when new. */
  start(digest: Digest): Promise<void>;
  /** Replaces the image's packages and marks the scan done, atomically. */
  complete(digest: Digest, result: ScanResultInput): Promise<void>;
  fail(
    digest: Digest,
    code: string,
    message: string,
    final: boolean,
  ): Promise<void>;
  get(digest: Digest): Promise<ScanRecord | undefined>;
  packages(digest: Digest): Promise<ImagePackage[]>;
  /** Digests of every image with a finished scan (for re-matching). */
  scannedDigests(): Promise<Digest[]>;
}

export interface FindingStore {
  /** Replaces the findings of an image, recording the data snapshot used. */
  replace(
    digest: Digest,
    findings: Finding[],
    snapshotId: number | null,
  ): Promise<void>;
  list(digest: Digest): Promise<Array<Finding & { snapshotId: number | null }>>;
}

export interface ImportCounts {
  added: number;
  changed: number;
  unchanged: number;
  withdrawn: number;
  skipped: number;
}

export interface VulnStore {
  /** Advisories naming any of the (ecosystem, package) keys. */
  advisoriesFor(
    keys: Array<{ ecosystem: string; name: string }>,
  ): Promise<Advisory[]>;
  beginImport(sources: string[]): Promise<number>;
  /** Upserts a batch; unchanged records (same content) are not rewritten. */
  upsert(
    batch: Advisory[],
    importId: number,
  ): Promise<Omit<ImportCounts, 'skipped'>>;
  finishImport(
    importId: number,
    status: 'done' | 'failed',
    counts: ImportCounts,
    warnings: unknown[],
  ): Promise<void>;
  /** Id of the newest finished import: the data snapshot verdicts cite. */
  currentSnapshot(): Promise<number | null>;
  summary(): Promise<{
    advisories: number;
    snapshotId: number | null;
    lastImportAt: string | null;
  }>;
}

export type SignatureStatus = 'verified' | 'invalid' | 'unknown_key';

export interface SignatureRecord {
  subjectDigest: Digest;
  signatureDigest: Digest;
  layerDigest: Digest;
  format: string;
  discoveredVia: string;
  status: SignatureStatus;
  signer?: string | undefined;
  reason?: string | undefined;
  payload?: unknown;
}

export interface SignatureStore {
  /** Replaces every signature result recorded for the subject. */
  replaceFor(subject: Digest, results: SignatureRecord[]): Promise<void>;
  list(subject: Digest): Promise<SignatureRecord[]>;
}

/** A verdict to store; the store assigns its id and time. */
export type VerdictInput = Omit<Verdict, 'id' | 'computedAt'>;

export interface VerdictChange {
  repository: string;
  digest: Digest;
  environment: string;
  oldStatus: VerdictStatus | null;
  newStatus: VerdictStatus;
  cause: string;
}

export interface VerdictStore {
  get(
    repository: string,
    digest: Digest,
    environment: string,
  ): Promise<Verdict | undefined>;
  list(repository: string, digest: Digest): Promise<Verdict[]>;
  /**
   * Stores verdicts; records a change row for each whose status moved and
   * returns those changes (and NOTIFYs `customs_verdicts` so caches drop them).
   */
  save(verdicts: VerdictInput[], cause: string): Promise<VerdictChange[]>;
  history(
    repository: string,
    digest: Digest,
  ): Promise<Array<VerdictChange & { changedAt: string }>>;
}

/**
 * The scanner's layer cache: encoded layer records by layer digest and a
 * cache key naming what produced them (detectors, limits, format).
 */
export interface LayerResultStore {
  get(layerDigest: Digest, cacheKey: string): Promise<Buffer | undefined>;
  /** Stores (or replaces) a record; idempotent. */
  put(layerDigest: Digest, cacheKey: string, record: Buffer): Promise<void>;
}

/** Every store, built by services/customs/deps.ts. */
export interface Stores {
  events: EventStore;
  manifests: ManifestStore;
  scans: ScanStore;
  findings: FindingStore;
  vulns: VulnStore;
  signatures: SignatureStore;
  verdicts: VerdictStore;
  layerResults: LayerResultStore;
}
