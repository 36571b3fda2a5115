import { Transform } from 'node:stream';

/**
 * Passes chunks through one behind, and releases the last one only when
 * the source ends cleanly. With a source that verifies a digest at its end
 * (the upstream client's blob stream), a client therefore never receives
 * the complete bytes of a blob that failed verification: it sees a cut
 * transfer shorter than Content-Length, which every HTTP client rejects.
 */
export function holdLastChunk(): Transform {
  let held: Buffer | undefined;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      const previous = held;
      held = chunk;
      done(null, previous);
    },
    flush(done) {
      done(null, held);
    },
  });
}
