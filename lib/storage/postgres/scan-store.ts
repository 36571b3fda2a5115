import type { Digest } from '../../core/digest.js';
import type { Distribution, ImagePackage } from '../../core/package.js';
import type { Database, SqlClient } from '../database.js';
import type { ScanRecord, ScanStore, ScanWarningRecord } from '../ports.js';
import { insertRows } from './insert-rows.js';

/** Scans (one per manifest digest) and the packages they found. */
export function createScanStore(db: Database): ScanStore {
  return {
    async start(digest) {
      await db.query(
        `INSERT INTO scans (digest, status, attempts, started_at) VALUES ($1, 'running', 1, now())
         ON CONFLICT (digest) DO UPDATE SET status = 'running', attempts = scans.attempts + 1,
           started_at = now(), error_code = NULL, error_message = NULL, updated_at = now()`,
        [digest],
      );
    },

    async complete(digest, result) {
      await db.transaction(async (tx) => {
        await tx.query('DELETE FROM packages WHERE image_digest = $1', [
          digest,
        ]);
        await insertPackages(tx, digest, result.packages);
        await tx.query(
          `UPDATE scans SET status = 'done', distribution = $2, warnings = $3, stats = $4,
             detector_key = $5, duration_ms = $6, finished_at = now(), updated_at = now(),
             error_code = NULL, error_message = NULL
           WHERE digest = $1`,
          [
            digest,
            JSON.stringify(result.distribution ?? null),
            JSON.stringify(result.warnings),
            JSON.stringify(result.stats),
            result.detectorKey,
            Math.round(result.durationMs),
          ],
        );
      });
    },

    async fail(digest, code, message, final) {
      await db.query(
        `UPDATE scans SET status = $4, error_code = $2, error_message = $3,
           finished_at = now(), updated_at = now() WHERE digest = $1`,
        [digest, code, message, final ? 'failed' : 'pending'],
      );
    },

    async get(digest) {
      const { rows } = await db.query<ScanRow>(
        'SELECT * FROM scans WHERE digest = $1',
        [digest],
      );
      return rows[0] ? toScan(rows[0]) : undefined;
    },

    async packages(digest) {
      const { rows } = await db.query<PackageRow>(
        'SELECT * FROM packages WHERE image_digest = $1 ORDER BY ordinal',
        [digest],
      );
      return rows.map(toPackage);
    },

    async scannedDigests() {
      const { rows } = await db.query<{ digest: Digest }>(
        `SELECT digest FROM scans WHERE status = 'done' ORDER BY digest`,
      );
      return rows.map((r) => r.digest);
    },
  };
}

const PACKAGE_COLUMNS = [
  'image_digest',
  'ordinal',
  'ecosystem',
  'name',
  'version',
  'arch',
  'source_name',
  'source_version',
  'purl',
  'layer_digest',
  'detector',
  'path',
  'license',
] as const;

async function insertPackages(
  tx: SqlClient,
  digest: Digest,
  packages: ImagePackage[],
): Promise<void> {
  await insertRows(
    tx,
    'packages',
    PACKAGE_COLUMNS,
    packages.map((p, i) => [
      digest,
      i,
      p.ecosystem,
      p.name,
      p.version,
      p.arch ?? null,
      p.sourceName ?? null,
      p.sourceVersion ?? null,
      p.purl,
      p.layerDigest,
      p.detector,
      p.path,
      p.license ?? null,
    ]),
  );
}

interface ScanRow {
  digest: Digest;
  status: ScanRecord['status'];
  attempts: number;
  error_code: string | null;
  error_message: string | null;
  distribution: Distribution | null;
  warnings: ScanWarningRecord[];
  stats: Record<string, number>;
  detector_key: string | null;
  started_at: Date | null;
  finished_at: Date | null;
  duration_ms: number | null;
}

function toScan(r: ScanRow): ScanRecord {
  return {
    digest: r.digest,
    status: r.status,
    attempts: r.attempts,
    errorCode: r.error_code ?? undefined,
    errorMessage: r.error_message ?? undefined,
    distribution: r.distribution ?? undefined,
    warnings: r.warnings,
    stats: r.stats,
    detectorKey: r.detector_key ?? undefined,
    startedAt: r.started_at?.toISOString(),
    finishedAt: r.finished_at?.toISOString(),
    durationMs: r.duration_ms ?? undefined,
  };
}

interface PackageRow {
  ecosystem: string;
  name: string;
  version: string;
  arch: string | null;
  source_name: string | null;
  source_version: string | null;
  purl: string;
  layer_digest: Digest;
  detector: string;
  path: string;
  license: string | null;
}

function toPackage(r: PackageRow): ImagePackage {
  return {
    ecosystem: r.ecosystem,
    name: r.name,
    version: r.version,
    arch: r.arch ?? undefined,
    sourceName: r.source_name ?? undefined,
    sourceVersion: r.source_version ?? undefined,
    purl: r.purl,
    layerDigest: r.layer_digest,
    detector: r.detector,
    path: r.path,
    ...(r.license === null ? {} : { license: r.license }),
  };
}
