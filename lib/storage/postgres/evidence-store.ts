import type { Digest } from '../../core/digest.js';
import type { ImageEvidence } from '../../core/image-evidence.js';
import type { Database } from '../database.js';
import type { EvidenceStore } from '../ports.js';

/** Scan evidence per image (table image_evidence). */
export function createEvidenceStore(db: Database): EvidenceStore {
  return {
    async save(digest: Digest, evidence: ImageEvidence) {
      await db.query(
        `INSERT INTO image_evidence (image_digest, evidence) VALUES ($1, $2)
         ON CONFLICT (image_digest) DO UPDATE SET evidence = EXCLUDED.evidence,
           updated_at = now()`,
        [digest, JSON.stringify(evidence)],
      );
    },

    async get(digest: Digest) {
      const { rows } = await db.query<{ evidence: ImageEvidence }>(
        'SELECT evidence FROM image_evidence WHERE image_digest = $1',
        [digest],
      );
      return rows[0]?.evidence;
    },
  };
}
