import type { Digest } from '../../core/digest.js';
import type { Database } from '../database.js';
import type { SignatureRecord, SignatureStore } from '../ports.js';

/** Verification results of every signature found for an image. */
export function createSignatureStore(db: Database): SignatureStore {
  return {
    async replaceFor(subject, results) {
      await db.transaction(async (tx) => {
        await tx.query('DELETE FROM signatures WHERE subject_digest = $1', [
          subject,
        ]);
        for (const s of results) {
          await tx.query(
            `INSERT INTO signatures (subject_digest, signature_digest, layer_digest, format, discovered_via,
               status, signer, reason, payload) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
             ON CONFLICT DO NOTHING`,
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
            ],
          );
        }
      });
    },

    async list(subject) {
      const { rows } = await db.query<Row>(
        `SELECT * FROM signatures WHERE subject_digest = $1 ORDER BY signature_digest, layer_digest`,
        [subject],
      );
      return rows.map((r) => ({
        subjectDigest: r.subject_digest,
        signatureDigest: r.signature_digest,
        layerDigest: r.layer_digest,
        format: r.format,
        discoveredVia: r.discovered_via,
        status: r.status,
        signer: r.signer ?? undefined,
        reason: r.reason ?? undefined,
        payload: r.payload ?? undefined,
      }));
    },
  };
}

interface Row {
  subject_digest: Digest;
  signature_digest: Digest;
  layer_digest: Digest;
  format: string;
  discovered_via: string;
  status: SignatureRecord['status'];
  signer: string | null;
  reason: string | null;
  payload: unknown;
}
