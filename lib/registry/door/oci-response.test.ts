import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  errorCode,
  ReferenceError,
  StorageError,
  UpstreamError,
} from '../../core/errors.js';
import {
  OCI_ERRORS,
  OciError,
  type OciErrorCode,
} from '../../core/oci-errors.js';
import { toOciError, writeOciError } from './oci-response.js';

describe('writeOciError over a real socket', () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      const code = (req.url ?? '/').slice(1) as OciErrorCode;
      writeOciError(
        res,
        new OciError(code, { detail: { why: 'test' } }),
        req.method === 'HEAD',
      );
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it.each(Object.entries(OCI_ERRORS))(
    '%s: status %j and the exact body',
    async (code, { status, message }) => {
      const res = await fetch(`${base}/${code}`);
      expect(res.status).toBe(status);
      expect(res.headers.get('content-type')).toBe(
        'application/json; charset=utf-8',
      );
      expect(await res.json()).toEqual({
        errors: [{ code, message, detail: { why: 'test' } }],
      });
      const head = await fetch(`${base}/${code}`, { method: 'HEAD' });
      expect(head.status).toBe(status);
      expect(await head.text()).toBe('');
    },
  );
});

const refused = (ociCode: string | undefined) =>
  new UpstreamError('UPSTREAM_REFUSED', 'refused', {
    details: { upstream: 400, ociCode },
  });

describe('toOciError', () => {
  it.each([
    [new ReferenceError('NAME_INVALID', 'bad'), 'manifest', 'NAME_INVALID'],
    [new ReferenceError('DIGEST_INVALID', 'bad'), 'blob', 'DIGEST_INVALID'],
    [
      new ReferenceError('REFERENCE_INVALID', 'bad tag'),
      'manifest',
      'MANIFEST_UNKNOWN',
    ],
    [
      new UpstreamError('UPSTREAM_NOT_FOUND', 'x'),
      'manifest',
      'MANIFEST_UNKNOWN',
    ],
    [new UpstreamError('UPSTREAM_NOT_FOUND', 'x'), 'blob', 'BLOB_UNKNOWN'],
    [new UpstreamError('UPSTREAM_UNAVAILABLE', 'x'), 'blob', 'UNAVAILABLE'],
    [
      new UpstreamError('UPSTREAM_UNAUTHORIZED', 'x'),
      'manifest',
      'UNAVAILABLE',
    ],
    [
      new UpstreamError('UPSTREAM_DIGEST_MISMATCH', 'x'),
      'manifest',
      'UNAVAILABLE',
    ],
    [
      new StorageError('DATABASE_UNAVAILABLE', 'select * from secrets'),
      'manifest',
      'UNKNOWN',
    ],
    [new Error('boom at /src/x.ts:1'), 'manifest', 'UNKNOWN'],
    [refused('BLOB_UPLOAD_UNKNOWN'), 'base', 'BLOB_UPLOAD_UNKNOWN'],
    [refused('MANIFEST_BLOB_UNKNOWN'), 'base', 'MANIFEST_BLOB_UNKNOWN'],
    [refused('DIGEST_INVALID'), 'base', 'DIGEST_INVALID'],
    // The registry's verdict on Customs' credentials is not the client's.
    [refused('UNAUTHORIZED'), 'base', 'UNKNOWN'],
    [refused('DENIED'), 'base', 'UNKNOWN'],
    [refused('NOT_A_CODE'), 'base', 'UNKNOWN'],
    [refused(undefined), 'base', 'UNKNOWN'],
  ] as const)('%s on a %s read → %s', (err, subject, code) => {
    const oci = toOciError(err, subject);
    expect(oci.code).toBe(code);
    // Never leak internals: unknown failures say only "internal error".
    if (code === 'UNKNOWN')
      expect(oci.toBody()).toEqual({
        errors: [{ code: 'UNKNOWN', message: 'internal error' }],
      });
    // A registry's refusal of a write keeps its code, never its text.
    if (errorCode(err) === 'UPSTREAM_REFUSED')
      expect(oci.message).toBe(OCI_ERRORS[code].message);
  });
});
