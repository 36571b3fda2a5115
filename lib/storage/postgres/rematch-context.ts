import type { Digest } from '../../core/digest.js';
import type { Database } from '../database.js';
import type { ImageContext, SignatureRecord } from '../ports.js';
import { signatureFromRow, type SignatureRow } from './signature-store.js';
import type { Finding } from '../../core/finding.js';
import type { ImageEvidence } from '../../core/image-evidence.js';
import type { Severity } from '../../core/severity.js';

/**
 * Reads, in a few queries for a whole batch, what judging each image
 * needs: scan state, findings, repositories with the indexes listing the
 * image there, and the signatures of the image and of those indexes.
 */
export async function readContexts(
  db: Database,
  digests: Digest[],
): Promise<Map<Digest, ImageContext>> {
  const contexts = new Map<Digest, ImageContext>();
  const scans = await db.query<{
    digest: Digest;
    status: ImageContext['scan']['status'];
    error_code: string | null;
    error_message: string | null;
    finished_at: Date | null;
  }>(
    'SELECT digest, status, error_code, error_message, finished_at FROM scans WHERE digest = ANY($1::text[])',
    [digests],
  );
  for (const s of scans.rows) {
    contexts.set(s.digest, {
      digest: s.digest,
      scan: {
        status: s.status,
        errorCode: s.error_code ?? undefined,
        errorMessage: s.error_message ?? undefined,
        finishedAt: s.finished_at?.toISOString(),
      },
      findings: [],
      repositories: [],
      signatures: new Map(),
    });
  }
  await readFindings(db, contexts);
  const parents = await readRepositories(db, contexts);
  await readSignatures(db, contexts, [...contexts.keys(), ...parents]);
  await readEvidence(db, contexts);
  return contexts;
}

async function readEvidence(
  db: Database,
  contexts: Map<Digest, ImageContext>,
): Promise<void> {
  const { rows } = await db.query<{
    image_digest: Digest;
    evidence: ImageEvidence;
  }>(
    'SELECT image_digest, evidence FROM image_evidence WHERE image_digest = ANY($1::text[])',
    [[...contexts.keys()]],
  );
  for (const r of rows) {
    const ctx = contexts.get(r.image_digest);
    if (ctx) ctx.evidence = r.evidence;
  }
}

async function readFindings(
  db: Database,
  contexts: Map<Digest, ImageContext>,
): Promise<void> {
  const { rows } = await db.query<{
    image_digest: Digest;
    advisory_source: string;
    advisory_id: string;
    aliases: string[];
    fixed_version: string | null;
    status: Finding['status'];
    severity: Severity;
    cvss_severity: Severity | null;
    distribution_severity: Severity | null;
    ecosystem: string;
    package_name: string;
    package_version: string;
    advisory_package: string;
  }>(
    `SELECT image_digest, advisory_source, advisory_id, aliases, fixed_version, status,
       severity, cvss_severity, distribution_severity, ecosystem, package_name,
       package_version, advisory_package
     FROM findings WHERE image_digest = ANY($1::text[])
     ORDER BY image_digest, ordinal`,
    [[...contexts.keys()]],
  );
  for (const r of rows) {
    contexts.get(r.image_digest)?.findings.push({
      advisorySource: r.advisory_source,
      advisoryId: r.advisory_id,
      aliases: r.aliases,
      fixedVersion: r.fixed_version ?? undefined,
      status: r.status,
      severity: r.severity,
      // Rows written before both ratings were kept have neither.
      cvssSeverity: r.cvss_severity ?? undefined,
      distributionSeverity: r.distribution_severity ?? undefined,
      // Exceptions may name a package; the times are keyed by it.
      ecosystem: r.ecosystem,
      packageName: r.package_name,
      packageVersion: r.package_version,
      advisoryPackage: r.advisory_package,
    });
  }
}

/** Fills each context's repositories and their parents; returns all parents. */
async function readRepositories(
  db: Database,
  contexts: Map<Digest, ImageContext>,
): Promise<Digest[]> {
  const { rows } = await db.query<{
    digest: Digest;
    repository: string;
    parents: Digest[] | null;
  }>(
    `SELECT rm.digest, rm.repository,
       (SELECT array_agg(DISTINCT r.manifest_digest ORDER BY r.manifest_digest)
        FROM manifest_references r
        JOIN repository_manifests prm ON prm.digest = r.manifest_digest
          AND prm.repository = rm.repository
        WHERE r.digest = rm.digest AND r.role = 'manifest') AS parents
     FROM repository_manifests rm WHERE rm.digest = ANY($1::text[])
     ORDER BY rm.digest, rm.repository`,
    [[...contexts.keys()]],
  );
  const all = new Set<Digest>();
  for (const r of rows) {
    const parents = r.parents ?? [];
    contexts
      .get(r.digest)
      ?.repositories.push({ repository: r.repository, parents });
    for (const p of parents) all.add(p);
  }
  return [...all];
}

async function readSignatures(
  db: Database,
  contexts: Map<Digest, ImageContext>,
  subjects: Digest[],
): Promise<void> {
  // Every column, in the order the single-image judge reads them: both
  // judges must see the same signatures (signers, kind, predicate type).
  const { rows } = await db.query<SignatureRow>(
    `SELECT * FROM signatures WHERE subject_digest = ANY($1::text[])
     ORDER BY subject_digest, position`,
    [subjects],
  );
  const bySubject = new Map<Digest, SignatureRecord[]>();
  for (const r of rows) {
    const list = bySubject.get(r.subject_digest) ?? [];
    list.push(signatureFromRow(r));
    bySubject.set(r.subject_digest, list);
  }
  for (const ctx of contexts.values()) {
    const wanted = [ctx.digest, ...ctx.repositories.flatMap((r) => r.parents)];
    for (const subject of wanted) {
      const list = bySubject.get(subject);
      if (list) ctx.signatures.set(subject, list);
    }
  }
}
