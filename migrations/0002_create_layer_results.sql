-- The scanner's layer cache: what one walk of a layer left behind (a layer
-- record: the entries the merged view needs, kept package-database bytes,
-- results of per-file detectors), by layer digest and cache key (detector
-- names and versions, extraction limits, record format). A second image
-- sharing layers re-reads none of them; replicas share the rows. Rows may be
-- deleted at any time: a missing one only means the layer is read again.
CREATE TABLE layer_results (
  layer_digest  text        NOT NULL,
  cache_key     text        NOT NULL,
  record        bytea       NOT NULL,
  size_bytes    integer     NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (layer_digest, cache_key)
);
