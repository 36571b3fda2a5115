import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './create-logger.js';

/** A logger writing JSON lines into an array. */
function capture(): {
  lines: Array<Record<string, unknown>>;
  stream: Writable;
} {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { lines, stream };
}

describe('createLogger', () => {
  it('redacts credentials wherever STYLE.md names them', () => {
    const { lines, stream } = capture();
    const log = createLogger({ level: 'info' }, stream);
    log.info(
      {
        req: { headers: { authorization: 'Bearer t0k', cookie: 'sid=c00k' } },
        upstream: { url: 'http://r', password: 'pa55', token: 't0k2' },
        cache: { secretAccessKey: 's3cr3t' },
        sink: { webhookSecret: 'wh00k', secret: 'hmac-key' },
        intake: { secret: 'intake-s3cret' },
      },
      'config summary',
    );
    expect(lines[0]).toMatchObject({
      req: { headers: { authorization: '[redacted]', cookie: '[redacted]' } },
      upstream: {
        url: 'http://r',
        password: '[redacted]',
        token: '[redacted]',
      },
      cache: { secretAccessKey: '[redacted]' },
      sink: { webhookSecret: '[redacted]', secret: '[redacted]' },
      intake: { secret: '[redacted]' },
    });
    expect(JSON.stringify(lines)).not.toMatch(
      /t0k|c00k|pa55|s3cr3t|wh00k|hmac-key|intake-s3cret/,
    );
  });
});
