import type { Readable, Writable } from 'node:stream';
import type { Advisory } from '../core/advisory.js';
import type { Digest } from '../core/digest.js';
import type { Finding, FindingTimes, JudgedFinding } from '../core/finding.js';
import type { ImageEvidence } from '../core/image-evidence.js';
import type {
  ExploitSignal,
  ExploitSourceSummary,
} from '../core/exploit-signal.js';
import type {
  Distribution,
  ImagePackage,
  MatchablePackage,
} from '../core/package.js';
import type { Verdict, VerdictStatus } from '../core/verdict.js';
import type {
  AdminTokenStore,
  AuditLog,
  BreakGlassStore,
  ExceptionStore,
  RuleVersionStore,
} from './admin-ports.js';
import type { OverviewStore } from './overview-ports.js';

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
  /** Records where a tag points; a move is announced on `customs_tags`. */
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
  /**
   * The registry deleted `repository@digest`: it leaves the repository
   * (with its tags and verdicts there), so no door serves it from stored
   * copies; the change is announced like a verdict write (and its tags'
   * removal on `customs_tags`). The scan and
   * the manifest stay (content-addressed): a re-push is judged again
   * without re-reading layers. When no repository holds it any more, the
   * first-seen times of its findings go too: a re-push starts their clock
   * again. True when Customs knew the image there.
   */
  forget(repository: string, digest: Digest): Promise<boolean>;
  /** Digests with a verdict in `repository` (images and index children). */
  judgedIn(repository: string): Promise<Digest[]>;
  /**
   * The registry deleted `repository:tag` (announced on `customs_tags`);
   * the digest it named, if known.
   */
  untag(repository: string, tag: string): Promise<Digest | undefined>;
}

/** Lookups the doors make on every request (kept cheap: indexed, no bodies). */
export interface ServingIndex {
  /**
   * The image a signature or referrer manifest is about: its digest, null
   * for a manifest Customs knows that has no subject, undefined for one it
   * does not know (yet).
   */
  subjectOf(digest: Digest): Promise<Digest | null | undefined>;
  /** The digest `repository:tag` pointed at when Customs last heard of it. */
  tagged(repository: string, tag: string): Promise<Digest | undefined>;
  /** Manifests of `repository` that name `subject` (signatures, attestations, SBOMs). */
  referrersOf(
    repository: string,
    subject: Digest,
  ): Promise<
    Array<{
      digest: Digest;
      mediaType: string;
      sizeBytes: number;
      artifactType: string | undefined;
    }>
  >;
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
  /**
   * Replaces the findings of an image, recording the data snapshot used.
   * When each finding was first seen (and first seen with a fix) survives
   * the replacement: see {@link FindingTimes}.
   */
  replace(
    digest: Digest,
    findings: Finding[],
    snapshotId: number | null,
  ): Promise<void>;
  list(
    digest: Digest,
  ): Promise<Array<Finding & FindingTimes & { snapshotId: number | null }>>;
  /** The recorded times of every finding the images ever had. */
  timesOf(digests: Digest[]): Promise<StoredFindingTimes[]>;
}

/** The times of one finding of an image (see {@link FindingTimes}). */
export type StoredFindingTimes = { digest: Digest } & Pick<
  Finding,
  'advisoryId' | 'ecosystem' | 'packageName' | 'packageVersion'
> &
  FindingTimes;

export interface ImportCounts {
  added: number;
  changed: number;
  unchanged: number;
  withdrawn: number;
  skipped: number;
}

/** One record of an import, with the (normalised) package keys it names. */
export interface StagedAdvisory {
  advisory: Advisory;
  /** The input that delivered it: a path or a mirror URL. */
  feed: string;
  /** (ecosystem, name as compared) pairs of its affected entries. */
  packages: Array<{ ecosystem: string; name: string }>;
}

/** What an import did to the records of one feed. */
export interface FeedCounts {
  feed: string;
  added: number;
  changed: number;
  unchanged: number;
  withdrawn: number;
}

/** The outcome of a committed import. */
export interface CommittedImport {
  /** The new data snapshot (commit order; verdicts cite it). */
  snapshotId: number;
  feeds: FeedCounts[];
  /** Distinct (ecosystem, package) keys named by changed records. */
  changedPackages: number;
}

/**
 * Vulnerability data. An import stages records, then commits them in one
 * transaction (a new snapshot) or fails (nothing of it is ever visible).
 */
export interface VulnStore {
  /** Active advisories naming any of the (ecosystem, normalised name) keys. */
  advisoriesFor(
    keys: Array<{ ecosystem: string; name: string }>,
  ): Promise<Advisory[]>;
  beginImport(sources: string[]): Promise<number>;
  /** Stages records of a running import; a later copy of a record wins. */
  stage(batch: StagedAdvisory[], importId: number): Promise<void>;
  /**
   * Switches to the staged data atomically: adds and changes records,
   * withdraws active records of the `withdrawFrom` feeds that the import
   * did not deliver, records what changed, and makes the import the
   * current snapshot. Counts are given for each of `feeds`.
   */
  commitImport(
    importId: number,
    outcome: {
      feeds: string[];
      withdrawFrom: string[];
      skipped: number;
      warnings: unknown[];
    },
  ): Promise<CommittedImport>;
  /** Drops the staged records and records the import as failed. */
  failImport(importId: number, warnings: unknown[]): Promise<void>;
  /** Id of the newest committed snapshot, the one verdicts cite. */
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
  /** Stable code of `reason` (e.g. KEY_UNKNOWN, IDENTITY_MISMATCH). */
  reasonCode?: string | undefined;
  /** Trust entries (rules names) this signature satisfies when verified. */
  signers?: string[] | undefined;
  /** Who signed: key name, certificate subject/SAN, OIDC issuer. */
  identity?: Record<string, string> | undefined;
  /** `signature`, or `attestation` for an in-toto statement. */
  kind?: 'signature' | 'attestation' | undefined;
  /** in-toto predicate type of an attestation. */
  predicateType?: string | undefined;
  /**
   * When a result checked against the time of verification (certificate
   * validity, signature expiry) stops holding; a cached result is not reused
   * after it. Kept in the verification cache only.
   */
  validUntil?: string | undefined;
}

export interface SignatureStore {
  /** Replaces every signature result recorded for the subject. */
  replaceFor(subject: Digest, results: SignatureRecord[]): Promise<void>;
  list(subject: Digest): Promise<SignatureRecord[]>;
  /**
   * Verification results remembered for one signature artifact of a subject
   * under a trust version; undefined when never verified under it.
   */
  cached(
    subject: Digest,
    signatureDigest: Digest,
    trustVersion: string,
  ): Promise<SignatureRecord[] | undefined>;
  /** Remembers verification results (idempotent: the same key is kept). */
  remember(
    subject: Digest,
    signatureDigest: Digest,
    trustVersion: string,
    results: SignatureRecord[],
  ): Promise<void>;
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

/** A pull account or robot token (the secret is never stored, only its hash). */
export interface PullCredential {
  name: string;
  kind: 'account' | 'robot';
  secretHash: string;
  environment: string;
  /**
   * Repositories this credential may push to through the door's
   * pass-through writes: names (`team/app`), prefixes (`team/*`) or `*`.
   * Empty = pull only.
   */
  pushRepositories: string[];
  expiresAt: string | undefined;
  createdAt: string;
  revokedAt: string | undefined;
}

export interface PullCredentialStore {
  /** Creates a credential; false when the name is taken. */
  create(
    credential: Omit<PullCredential, 'createdAt' | 'revokedAt'>,
  ): Promise<boolean>;
  find(name: string): Promise<PullCredential | undefined>;
  list(): Promise<PullCredential[]>;
  /** Revokes a credential (idempotent); false when the name is unknown. */
  revoke(name: string): Promise<boolean>;
  /**
   * A random secret shared by every replica under `name`, created on first
   * use (e.g. the key that signs pull tokens).
   */
  sharedSecret(name: string): Promise<string>;
}

/** What a blob store knows of one blob. */
export interface BlobInfo {
  digest: Digest;
  sizeBytes: number;
}

/**
 * Content-addressed blob storage (after distribution's StorageDriver): the
 * door's cache of eligible blobs. Keys are digests; every write is verified
 * against its key, and every read is verified unless the store can prove
 * the bytes are those it verified before.
 */
export interface BlobStore {
  /** `fs` | `s3`: stable, used in logs and metrics. */
  readonly name: string;
  /**
   * The blob's bytes (or an inclusive byte range of them). Throws
   * StorageError BLOB_NOT_FOUND. The stream errors with StorageError
   * BLOB_DIGEST_MISMATCH at its end when stored bytes no longer match; the
   * caller owns (reads or destroys) it.
   */
  get(
    key: Digest,
    options?: { signal?: AbortSignal; range?: { start: number; end: number } },
  ): Promise<Readable>;
  /**
   * Writes the blob (or an inclusive range) into `out` without allocating
   * per chunk, when the store can (files); `out` is not ended. Rejects with
   * BLOB_NOT_FOUND, or with BLOB_DIGEST_MISMATCH before the last bytes are
   * written when the stored bytes no longer match.
   */
  writeTo?(
    key: Digest,
    out: Writable,
    options?: { range?: { start: number; end: number } },
  ): Promise<void>;
  /**
   * Stores `body` under its digest, only if it hashes to `key` (else
   * StorageError BLOB_DIGEST_MISMATCH and nothing is stored). Idempotent.
   */
  put(
    key: Digest,
    body: Readable,
    options?: { signal?: AbortSignal },
  ): Promise<BlobInfo>;
  stat(key: Digest): Promise<BlobInfo | undefined>;
  /** Idempotent. */
  delete(key: Digest): Promise<void>;
  /** A short-lived URL a client may fetch the blob from directly, when the store offers one. */
  presign(key: Digest, expiresSeconds: number): Promise<string | undefined>;
}

/** The lookup key (ecosystem, name as compared) of one package of an image. */
export interface PackageKey {
  /** Position of the package in the image's package list. */
  ordinal: number;
  ecosystem: string;
  name: string;
}

/** An image to re-match, and the snapshot its findings were matched at. */
export interface RematchCandidate {
  digest: Digest;
  /** null: never matched incrementally; every package must be matched. */
  matchedAt: number | null;
}

/** What changed between two snapshots. */
export interface DataChanges {
  /** Advisories added, changed or withdrawn: their findings are redone. */
  advisories: Array<{ source: string; id: string }>;
  /** Package keys those advisories name (before or after the change). */
  keys: Array<{ ecosystem: string; name: string }>;
}

/** The new findings of an image, as a replacement of some or all. */
export interface FindingsDelta {
  digest: Digest;
  /** The snapshot the image was matched at when the delta was computed. */
  matchedAt: number | null;
  /** Replace every finding (a full match) … */
  isFull: boolean;
  /** … or only those of these advisories. */
  remove: Array<{ source: string; id: string }>;
  add: Finding[];
  /** The image's package keys, written with a full match. */
  keys?: PackageKey[] | undefined;
}

/** Everything judging a matched image needs, read in bulk. */
export interface ImageContext {
  digest: Digest;
  scan: Pick<
    ScanRecord,
    'status' | 'errorCode' | 'errorMessage' | 'finishedAt'
  >;
  /** The image's findings, as much of each as judging and merging read. */
  findings: Array<
    JudgedFinding &
      Pick<
        Finding,
        'advisorySource' | 'ecosystem' | 'packageName' | 'packageVersion'
      > &
      Partial<Pick<Finding, 'advisoryPackage'>>
  >;
  /** Repositories holding the image, each with the indexes listing it there. */
  repositories: Array<{ repository: string; parents: Digest[] }>;
  /** Signature results by subject: the image and those indexes. */
  signatures: Map<Digest, SignatureRecord[]>;
  /** Secrets and other scan evidence; undefined when never gathered. */
  evidence?: ImageEvidence | undefined;
}

/**
 * Bulk reads and writes of re-matching after a data import: only images
 * holding a package a changed advisory names are read, and only their
 * findings of changed advisories are rewritten.
 */
export interface RematchStore {
  /**
   * Images with a finished scan whose findings predate `snapshotId` and
   * may change, and the database time the list was taken at.
   */
  candidates(
    snapshotId: number,
  ): Promise<{ images: RematchCandidate[]; asOf: Date }>;
  /** Changes of the snapshots after `from` up to and including `to`. */
  changesBetween(from: number, to: number): Promise<DataChanges>;
  /** Packages of the images, only those with one of `keys` when given. */
  packagesOf(
    digests: Digest[],
    keys?: Array<{ ecosystem: string; name: string }>,
  ): Promise<Map<Digest, MatchablePackage[]>>;
  /**
   * Applies the deltas and records the images as matched at `snapshotId`,
   * in one transaction; skips an image matched again since its delta was
   * computed. Returns the images it applied.
   */
  applyDeltas(deltas: FindingsDelta[], snapshotId: number): Promise<Digest[]>;
  contextOf(digests: Digest[]): Promise<Map<Digest, ImageContext>>;
  /** Records a single image's package keys after a full match (scan path). */
  recordMatch(
    digest: Digest,
    keys: PackageKey[],
    snapshotId: number | null,
  ): Promise<void>;
  /**
   * Marks every image matched at an older snapshot, before `asOf`, as
   * matched at `snapshotId` (nothing changed for it). An image matched
   * after `asOf` (a scan that raced the import) is left for the next run.
   */
  advanceAll(snapshotId: number, asOf: Date): Promise<void>;
  /**
   * Refreshes the planner statistics of the tables a large re-match
   * rewrote (vacuuming them too where no autovacuum runs); returns what ran.
   */
  refreshStatistics(): Promise<string>;
}

/** An event of the outbox, as handed to a sink. */
export interface OutboxEvent {
  /** Position in the outbox (delivery order). */
  outboxId: number;
  /** CloudEvents `id`: stable across retries, so a sink can de-duplicate. */
  eventId: string;
  type: string;
  subject: string;
  data: unknown;
  /** When the change happened (CloudEvents `time`). */
  time: string;
  /** Delivery attempts so far, this one included. */
  attempts: number;
}

/**
 * The durable outbox of outbound events. Events are written with the
 * change they announce (VerdictStore.save), with one delivery per sink
 * registered then; deliveries are claimed under a lease, so replicas share
 * the work and a crashed sender's claims come back.
 */
export interface OutboxStore {
  /** Makes sinks known; a new sink receives the events written from now on. */
  registerSinks(names: string[]): Promise<void>;
  /** Due, undelivered events of `sink`, oldest first, leased for `leaseMs`. */
  claim(sink: string, limit: number, leaseMs: number): Promise<OutboxEvent[]>;
  delivered(sink: string, outboxId: number): Promise<void>;
  /** Records a failed attempt; the event is due again after `retryInMs`. */
  failed(
    sink: string,
    outboxId: number,
    error: string,
    retryInMs: number,
  ): Promise<void>;
  /**
   * Deletes events older than `olderThanMs` that no sink of `sinks` still
   * waits for; a sink no longer configured waits for nothing.
   */
  prune(olderThanMs: number, sinks: string[]): Promise<number>;
  /** Undelivered events per sink. */
  pending(): Promise<Record<string, number>>;
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
/** What a scan found besides packages (secrets, …), per image digest. */
export interface EvidenceStore {
  /** Replaces the image's evidence; idempotent. */
  save(digest: Digest, evidence: ImageEvidence): Promise<void>;
  get(digest: Digest): Promise<ImageEvidence | undefined>;
}

/** Exploitation signals per CVE (CISA KEV, FIRST EPSS), each source replaced whole. */
export interface ExploitStore {
  replaceKev(
    entries: ReadonlyArray<{
      cveId: string;
      dateAdded: string;
      ransomware: boolean;
    }>,
    version: string,
  ): Promise<void>;
  replaceEpss(
    entries: ReadonlyArray<{ cveId: string; epss: number; percentile: number }>,
    version: string,
  ): Promise<void>;
  /** Signals of the CVEs that have any. */
  lookup(cveIds: readonly string[]): Promise<Map<string, ExploitSignal>>;
  /** The versions imported last. */
  sources(): Promise<ExploitSourceSummary[]>;
}

export interface Stores {
  events: EventStore;
  manifests: ManifestStore;
  scans: ScanStore;
  findings: FindingStore;
  vulns: VulnStore;
  signatures: SignatureStore;
  verdicts: VerdictStore;
  serving: ServingIndex;
  pullCredentials: PullCredentialStore;
  rematch: RematchStore;
  outbox: OutboxStore;
  layerResults: LayerResultStore;
  adminTokens: AdminTokenStore;
  audit: AuditLog;
  overview: OverviewStore;
  exceptions: ExceptionStore;
  breakGlass: BreakGlassStore;
  ruleVersions: RuleVersionStore;
  evidence: EvidenceStore;
  exploits: ExploitStore;
  ages: AgeStore;
}

/**
 * The times from which an image's evidence ages, for the rules that limit
 * it: `fix`, when a finding it still has was first seen with a fix
 * (`maxFixableDays`); `scan`, when its finished scan ended
 * (`maxScanAgeHours`). The expiry timer reads them to change verdicts the
 * moment a limit passes.
 */
export interface AgeStore {
  /** The earliest such time at or after `after` (ISO), if any. */
  nextAt(kind: AgeKind, after: string): Promise<string | undefined>;
  /**
   * The images, in every repository holding them, with such a time in
   * [from, until).
   */
  imagesBetween(
    kind: AgeKind,
    from: string,
    until: string,
  ): Promise<Array<{ repository: string; digest: Digest }>>;
}

export type AgeKind = 'fix' | 'scan';
