import { Transform } from 'node:stream';

/** A satisfiable byte range of a blob (inclusive ends, RFC 9110 §14.1.2). */
export interface ByteRange {
  start: number;
  end: number;
}

const RANGE_RE = /^bytes=(\d*)-(\d*)$/;

/**
 * Reads a `Range` header against a blob of `size` bytes: undefined = serve
 * the whole blob (no header, or a form we do not serve partially, such as
 * several ranges — allowed by RFC 9110 §14.2); 'unsatisfiable' = answer 416.
 */
export function parseRange(
  header: string | undefined,
  size: number,
): ByteRange | 'unsatisfiable' | undefined {
  if (!header) return undefined;
  const m = RANGE_RE.exec(header.trim());
  if (!m) return undefined;
  const [, first = '', last = ''] = m;
  if (first === '' && last === '') return undefined;
  if (first === '') {
    // Suffix range: the last N bytes.
    const n = Number(last);
    if (n === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(first);
  if (start >= size) return 'unsatisfiable';
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  if (end < start) return undefined;
  return { start, end };
}

/**
 * Emits only the bytes of `range` but reads the source to its end, so a
 * source that verifies its digest at the end still gets to (and can still
 * fail the transfer).
 */
export function sliceBytes(range: ByteRange): Transform {
  let offset = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      const from = Math.max(range.start - offset, 0);
      const to = Math.min(range.end + 1 - offset, chunk.length);
      offset += chunk.length;
      done(null, from < to ? chunk.subarray(from, to) : undefined);
    },
  });
}
