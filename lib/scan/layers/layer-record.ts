/**
 * What one layer walk leaves behind, independent of every other layer: its
 * entries as the merged view needs them (files no detector kept reduced to
 * their path), the results of `file`-scope detectors, the walk's warnings
 * and byte counts. Applying a record to the view is the same whether it was
 * just walked or read back from the layer cache, so a cached layer merges
 * exactly as a walked one (whiteouts and opaque directories included).
 */
import { deserialize, serialize } from 'node:v8';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { ScanError } from '../../core/errors.js';
import type { ScanWarning } from '../detectors/types.js';
import type { ExtractStats } from './extract.js';
import type { LayerEntry } from './layer-entry.js';
import type { LayerInspectionRecord } from './layer-inspection.js';

/** One layer's walk, ready to merge (see the module comment). */
export interface LayerRecord extends LayerInspectionRecord {
  entries: LayerEntry[];
  /** Warnings of the walk itself (oversized files, file-scope detectors). */
  warnings: ScanWarning[];
  stats: ExtractStats;
}

/** Bump when the encoding or the meaning of a record changes. */
export const LAYER_RECORD_FORMAT = 3;
/** Decoded records larger than this are refused (a record is mostly paths). */
const MAX_DECODED_BYTES = 1024 * 1024 * 1024;

/**
 * Encodes a record for the layer cache: node:v8 serialization (buffers stay
 * binary), deflated at level 1, which makes it about 5× smaller for a few
 * milliseconds; storing it is what costs (measured on PGlite: 515 KB took
 * 100–200 ms to insert, 100 KB 15–70 ms). Readers check
 * {@link LAYER_RECORD_FORMAT} through the cache key, so an old encoding is
 * never decoded.
 */
export function encodeLayerRecord(record: LayerRecord): Buffer {
  return deflateRawSync(serialize(record), { level: 1 });
}

/**
 * Decodes {@link encodeLayerRecord}'s bytes.
 * @throws ScanError `LAYER_CORRUPT` (details.cache) when they are not a record.
 */
export function decodeLayerRecord(bytes: Buffer): LayerRecord {
  let value: unknown;
  try {
    value = deserialize(
      inflateRawSync(bytes, { maxOutputLength: MAX_DECODED_BYTES }),
    );
  } catch (err: unknown) {
    throw invalidRecord(err);
  }
  if (!isRecord(value)) throw invalidRecord(undefined);
  for (const entry of value.entries) {
    // Structured clone turns Buffers into plain Uint8Arrays.
    if (entry.type === 'file' && entry.content !== undefined)
      entry.content = asBuffer(entry.content);
  }
  return value;
}

function isRecord(value: unknown): value is LayerRecord {
  const r = value as Partial<LayerRecord> | null;
  return (
    typeof r === 'object' &&
    r !== null &&
    Array.isArray(r.entries) &&
    Array.isArray(r.warnings) &&
    typeof r.stats === 'object'
  );
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes)
    ? bytes
    : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function invalidRecord(cause: unknown): ScanError {
  return new ScanError('LAYER_CORRUPT', 'invalid cached layer record', {
    details: { cache: true },
    cause,
  });
}
