-- Signature results in detail: a stable reason code, the trust entries a
-- verified signature satisfies (k-of-n rules name them), the signer's
-- identity, and for attestations their in-toto predicate type. Plus a cache
-- of verification results by (subject, signature artifact, trust version), so
-- an artifact is verified once per trust configuration.

ALTER TABLE signatures ADD COLUMN reason_code text;
ALTER TABLE signatures ADD COLUMN signers text[] NOT NULL DEFAULT '{}';
ALTER TABLE signatures ADD COLUMN identity jsonb;
ALTER TABLE signatures ADD COLUMN kind text NOT NULL DEFAULT 'signature'
  CHECK (kind IN ('signature', 'attestation'));
ALTER TABLE signatures ADD COLUMN predicate_type text;

-- Several signatures on one cosign tag can share a payload (same layer
-- digest, different signature annotations): a position keeps them apart.
ALTER TABLE signatures ADD COLUMN position integer NOT NULL DEFAULT 0;
ALTER TABLE signatures DROP CONSTRAINT signatures_pkey;
ALTER TABLE signatures ADD PRIMARY KEY (subject_digest, signature_digest, layer_digest, position);

-- Rows written before this migration name their key as `key:<name>`.
UPDATE signatures SET signers = ARRAY[substr(signer, 5)]
  WHERE status = 'verified' AND signer LIKE 'key:%';

CREATE TABLE signature_verifications (
  subject_digest    text        NOT NULL,
  signature_digest  text        NOT NULL,
  trust_version     text        NOT NULL,
  results           jsonb       NOT NULL,
  verified_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (subject_digest, signature_digest, trust_version)
);
