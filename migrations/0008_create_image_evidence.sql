-- Evidence a scan gathers besides packages (secrets in layer files, and the
-- checks that follow them), one JSON document per image digest. Secrets are
-- stored as rule, path, layer, line and a masked excerpt: never the secret.
CREATE TABLE image_evidence (
  image_digest  text        PRIMARY KEY,
  evidence      jsonb       NOT NULL,
  updated_at    timestamptz NOT NULL DEFAULT now()
);
