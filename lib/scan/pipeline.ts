import { metrics } from '../metrics/metrics.js';
import type { Logger } from 'pino';
import type { Digest } from '../core/digest.js';
import { errorCode, messageOf } from '../core/errors.js';
import { parseManifest, type ParsedManifest } from '../core/manifest.js';
import {
  isImageManifestMediaType,
  isIndexMediaType,
} from '../core/media-types.js';
import {
  classifyManifest,
  toManifestRecord,
} from '../storage/manifest-record.js';
import type { UpstreamClient } from '../registry/client/upstream-client.js';
import type {
  EvidenceStore,
  LayerResultStore,
  ManifestKind,
  ManifestStore,
  ScanStore,
} from '../storage/ports.js';
import type { ScanLimits } from '../config/schema.js';
import type { PackageDetector } from './detectors/types.js';
import type { SecretScanner } from './secrets/secret-scanner.js';
import type { MalwareScanner } from './malware/malware-scanner.js';
import { analyzeLayers, type LayerAnalysis } from './layers/analyze.js';
import { createLayerCache } from './layers/layer-cache.js';
import { imageEvidenceOf } from './image-evidence.js';
import { readImageFacts } from './image-config.js';
import type { ApprovedBase } from './base-image.js';

/**
 * Where images are read from: the upstream registry, or an OCI image
 * layout on disk (`customs scan oci:DIR`). Both verify digests.
 */
export type ImageSource = Pick<UpstreamClient, 'getManifest' | 'getBlob'>;

export interface ScanPipelineDeps {
  upstream: ImageSource;
  manifests: ManifestStore;
  scans: ScanStore;
  detectors: readonly PackageDetector[];
  limits: ScanLimits;
  logger: Logger;
  /** The layer cache; without it every layer is read. */
  layerResults?: LayerResultStore | undefined;
  /** Secret scanning of layer files; off when absent. */
  secrets?: SecretScanner | undefined;
  /** Approved base images (config `scan.baseImages`). */
  baseImages?: readonly ApprovedBase[] | undefined;
  /** Known-bad hashes and ClamAV; off when absent. */
  malware?: MalwareScanner | undefined;
  /** Where evidence besides packages (secrets, malware) is stored. */
  evidence?: EvidenceStore | undefined;
  /**
   * Age (ms) up to which a finished scan is reused: an older one is done
   * again (the strictest `maxScanAgeHours` of the rules); none = no limit.
   */
  maxScanAgeMs?: (() => number | undefined) | undefined;
}

/** What a scan found out about a manifest. */
export interface ScannedManifest {
  digest: Digest;
  kind: ManifestKind;
  /** Platform manifests of an index (each scanned too). */
  children: Digest[];
}

/** Deterministic failures: retrying the same bytes gives the same error. */
const FINAL_CODES = new Set([
  'LAYER_DIGEST_MISMATCH',
  'LAYER_UNSUPPORTED',
  'LAYER_CORRUPT',
  'EXTRACT_LIMIT_EXCEEDED',
  'EXTRACT_PATH_ESCAPE',
  'MANIFEST_INVALID',
  'MANIFEST_UNSUPPORTED',
  'DETECTOR_FAILED',
  'UPSTREAM_DIGEST_MISMATCH',
  'UPSTREAM_TOO_LARGE',
  'UPSTREAM_NOT_FOUND',
]);
/** Nesting of indexes followed (an index of indexes is legal but rare). */
const MAX_INDEX_DEPTH = 2;

/** `name@version` of every detector: part of the scan idempotency key. */
export function detectorKey(detectors: readonly PackageDetector[]): string {
  return detectors.map((d) => `${d.name}@${d.version}`).join(',');
}

/** The idempotency key of a scan: detectors, and the secret rules when on. */
function scanKey(deps: ScanPipelineDeps): string {
  const parts = [detectorKey(deps.detectors)];
  if (deps.secrets) parts.push(`secrets@${deps.secrets.cacheKey}`);
  if (deps.malware) parts.push(`malware@${deps.malware.cacheKey}`);
  return parts.join(',');
}

/**
 * Fetches and records a manifest, then scans it: an image's layers are
 * streamed through the detectors (fetch → extract → detect) and its packages
 * stored; an index's platform manifests are each scanned. An image already
 * scanned with the same detectors is not read again. A deterministic
 * failure is recorded as a failed scan (the image is then ineligible); a
 * transient one (upstream down) is rethrown so the job is retried.
 */
export async function scanManifest(
  deps: ScanPipelineDeps,
  target: { repository: string; digest: Digest },
  signal: AbortSignal,
  depth = 0,
): Promise<ScannedManifest> {
  const log = deps.logger.child({
    repository: target.repository,
    digest: target.digest,
  });
  let parsed: ParsedManifest;
  try {
    parsed = await fetchAndRecord(deps, target, signal);
  } catch (err: unknown) {
    if (!isFinal(err)) throw err;
    await recordFailure(deps, target.digest, err, log);
    return { digest: target.digest, kind: 'image', children: [] };
  }
  if (parsed.kind === 'index') {
    const children = parsed.manifests.filter(
      (m) =>
        isImageManifestMediaType(m.mediaType) || isIndexMediaType(m.mediaType),
    );
    for (const child of children) {
      if (depth >= MAX_INDEX_DEPTH) break;
      await scanManifest(
        deps,
        { repository: target.repository, digest: child.digest },
        signal,
        depth + 1,
      );
    }
    return {
      digest: target.digest,
      kind: 'index',
      children: children.map((c) => c.digest),
    };
  }
  const kind = classifyManifest(parsed);
  if (kind === 'image')
    await scanImageLayers(deps, target, parsed, signal, log);
  return { digest: target.digest, kind, children: [] };
}

async function fetchAndRecord(
  deps: ScanPipelineDeps,
  target: { repository: string; digest: Digest },
  signal: AbortSignal,
): Promise<ParsedManifest> {
  const fetched = await deps.upstream.getManifest(
    target.repository,
    target.digest,
    { signal },
  );
  const parsed = parseManifest(fetched.body, fetched.mediaType);
  await deps.manifests.save(
    toManifestRecord(fetched.digest, fetched.body, parsed),
    target.repository,
  );
  return parsed;
}

async function scanImageLayers(
  deps: ScanPipelineDeps,
  target: { repository: string; digest: Digest },
  manifest: Extract<ParsedManifest, { kind: 'image' }>,
  signal: AbortSignal,
  log: Logger,
): Promise<void> {
  const key = scanKey(deps);
  const previous = await deps.scans.get(target.digest);
  if (
    previous?.status === 'done' &&
    previous.detectorKey === key &&
    !isOlderThan(previous.finishedAt, deps.maxScanAgeMs?.())
  )
    return;
  await deps.scans.start(target.digest);
  const started = performance.now();
  try {
    const analysis = await analyzeImage(deps, target.repository, manifest, {
      signal,
      log,
    });
    const durationMs = performance.now() - started;
    await saveEvidence(deps, { ...target, manifest }, analysis, {
      signal,
      log,
    });
    await deps.scans.complete(target.digest, {
      distribution: analysis.distribution,
      packages: analysis.packages,
      warnings: analysis.warnings.map((w) => ({
        code: w.code,
        message: w.message,
        path: w.path,
        layerDigest: w.layerDigest,
      })),
      stats: { ...analysis.stats, packages: analysis.packages.length },
      detectorKey: key,
      durationMs,
    });
    metrics.scans.inc({ outcome: 'done' });
    metrics.scanDuration.observe(durationMs / 1000);
    log.info(
      {
        stage: 'detect',
        durationMs: Math.round(durationMs),
        packages: analysis.packages.length,
        warnings: analysis.warnings.length,
        secrets: analysis.secrets.length,
      },
      'scan done',
    );
  } catch (err: unknown) {
    if (!isFinal(err)) {
      metrics.scanFailures.inc({ reason: codeOf(err) });
      await deps.scans.fail(target.digest, codeOf(err), messageOf(err), false);
      throw err;
    }
    await recordFailure(deps, target.digest, err, log);
  }
}

/** Stores the evidence besides packages (secrets, malware, baseline, base). */
async function saveEvidence(
  deps: ScanPipelineDeps,
  image: {
    repository: string;
    digest: Digest;
    manifest: Extract<ParsedManifest, { kind: 'image' }>;
  },
  analysis: LayerAnalysis,
  ctx: { signal: AbortSignal; log: Logger },
): Promise<void> {
  if (!deps.evidence) return;
  const facts = await readImageFacts(
    deps,
    {
      repository: image.repository,
      digest: image.digest,
      configDigest: image.manifest.config.digest,
      layers: image.manifest.layers.map((l) => l.digest),
    },
    ctx,
  );
  await deps.evidence.save(image.digest, imageEvidenceOf(analysis, facts));
}

/** The layers of `manifest`, read from `deps.upstream` (or the layer cache). */
function analyzeImage(
  deps: ScanPipelineDeps,
  repository: string,
  manifest: Extract<ParsedManifest, { kind: 'image' }>,
  ctx: { signal: AbortSignal; log: Logger },
): Promise<LayerAnalysis> {
  const { detectors, limits, layerResults, secrets, malware } = deps;
  return analyzeLayers(
    manifest.layers.map((layer) => ({
      digest: layer.digest,
      mediaType: layer.mediaType,
      open: async (signal: AbortSignal) =>
        (await deps.upstream.getBlob(repository, layer.digest, { signal }))
          .stream,
    })),
    {
      detectors,
      limits,
      signal: ctx.signal,
      logger: ctx.log,
      secrets,
      malware,
      cache:
        layerResults &&
        createLayerCache(layerResults, { detectors, limits, secrets, malware }),
    },
  );
}

async function recordFailure(
  deps: ScanPipelineDeps,
  digest: Digest,
  err: unknown,
  log: Logger,
): Promise<void> {
  const code = codeOf(err);
  if (!(await deps.scans.get(digest))) await deps.scans.start(digest);
  await deps.scans.fail(digest, code, messageOf(err), true);
  metrics.scans.inc({ outcome: 'failed' });
  metrics.scanFailures.inc({ reason: code });
  log.warn({ err, code }, 'scan failed');
}

function isFinal(err: unknown): boolean {
  return FINAL_CODES.has(errorCode(err) ?? '');
}

function codeOf(err: unknown): string {
  return errorCode(err) ?? 'UNKNOWN';
}

/** Whether a scan that ended at `finishedAt` is `maxAgeMs` old or older. */
function isOlderThan(
  finishedAt: string | undefined,
  maxAgeMs: number | undefined,
): boolean {
  if (maxAgeMs === undefined || finishedAt === undefined) return false;
  return Date.now() - Date.parse(finishedAt) >= maxAgeMs;
}
