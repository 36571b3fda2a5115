import type { Digest } from '../../core/digest.js';
import type { Database } from '../database.js';
import type { SignatureRecord, SignatureStore } from '../ports.js';

/** Verification results of every signature found for an image, and their cache. */
export function createSignatureStore(db: Database): SignatureStore {
  return {
    async replaceFor(subject, results) {
      await db.transaction(async (tx) => {
        await tx.query('DELETE FROM signatures WHERE subject_digest = $1', [
          subject,
        ]);
        for (const [position, s] of results.entries()) {
          await tx.query(
            `INSERT INTO signatures (subject_digest, signature_digest, layer_digest, format, discovered_via,
               status, signer, reason, payload, reason_code, signers, identity, kind, predicate_type, position)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
            [
              subject,
              s.signatureDigest,
              s.layerDigest,
              s.format,
              s.discoveredVia,
              s.status,
              s.signer ?? null,
              s.reason ?? null,
              JSON.stringify(s.payload ?? null),
              s.reasonCode ?? null,
              s.signers ?? [],
              s.identity === undefined ? null : JSON.stringify(s.identity),
              s.kind ?? 'signature',
              s.predicateType ?? null,
              position,
            ],
          );
        }
      });
    },

    async list(subject) {
      const { rows } = await db.query<SignatureRow>(
        `SELECT * FROM signatures WHERE subject_digest = $1 ORDER BY position`,
        [subject],
      );
      return rows.map(signatureFromRow);
    },

    async cached(subject, signatureDigest, trustVersion) {
      const { rows } = await db.query<{ results: SignatureRecord[] }>(
        `SELECT results FROM signature_verifications
          WHERE subject_digest = $1 AND signature_digest = $2 AND trust_version = $3`,
        [subject, signatureDigest, trustVersion],
      );
      return rows[0]?.results;
    },

    async remember(subject, signatureDigest, trustVersion, results) {
      await db.query(
        `INSERT INTO signature_verifications (subject_digest, signature_digest, trust_version, results)
         VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
        [subject, signatureDigest, trustVersion, JSON.stringify(results)],
      );
    },
  };
}

/** A stored signature result, as every reader sees it. */
export function signatureFromRow(r: SignatureRow): SignatureRecord {
  return {
    subjectDigest: r.subject_digest,
    signatureDigest: r.signature_digest,
    layerDigest: r.layer_digest,
    format: r.format,
    discoveredVia: r.discovered_via,
    status: r.status,
    signer: r.signer ?? undefined,
    reason: r.reason ?? undefined,
    payload: r.payload ?? undefined,
    reasonCode: r.reason_code ?? undefined,
    signers: r.signers,
    identity: r.identity ?? undefined,
    kind: r.kind,
    predicateType: r.predicate_type ?? undefined,
  };
}

/** A row of `signatures`. */
export interface SignatureRow {
  subject_digest: Digest;
  signature_digest: Digest;
  layer_digest: Digest;
  format: string;
  discovered_via: string;
  status: SignatureRecord['status'];
  signer: string | null;
  reason: string | null;
  payload: unknown;
  reason_code: string | null;
  signers: string[];
  identity: Record<string, string> | null;
  kind: 'signature' | 'attestation';
  predicate_type: string | null;
}
