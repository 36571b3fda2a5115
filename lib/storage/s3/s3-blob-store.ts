import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { digestHex, type Digest } from '../../core/digest.js';
import { StorageError } from '../../core/errors.js';
import { digestCheck, discardSink } from '../digest-check.js';
import type { BlobStore } from '../ports.js';

export interface S3BlobStoreOptions {
  bucket: string;
  region: string;
  endpoint?: string | undefined;
  forcePathStyle: boolean;
  /** Key prefix of every blob (`blobs/`). */
  prefix: string;
  accessKeyId?: string | undefined;
  secretAccessKey?: string | undefined;
}

/**
 * Blobs as objects of an S3 bucket (AWS or any S3-compatible server). A
 * write streams through a digest check into a multipart upload that is
 * completed only when the bytes verified, so no unverified object is ever
 * visible. Full reads are verified while they stream; a range read is made
 * conditional (If-Match) on the ETag of the object as last verified.
 */
export function createS3BlobStore(options: S3BlobStoreOptions): BlobStore {
  const config: S3ClientConfig = {
    region: options.region,
    forcePathStyle: options.forcePathStyle,
  };
  if (options.endpoint) config.endpoint = options.endpoint;
  if (options.accessKeyId && options.secretAccessKey) {
    config.credentials = {
      accessKeyId: options.accessKeyId,
      secretAccessKey: options.secretAccessKey,
    };
  }
  const client = new S3Client(config);
  const verifiedEtags = new Map<Digest, string>();
  const keyOf = (digest: Digest) =>
    `${options.prefix}${digest.slice(0, digest.indexOf(':'))}/${digestHex(digest)}`;
  const object = (digest: Digest) => ({
    Bucket: options.bucket,
    Key: keyOf(digest),
  });

  const getVerified = async (
    key: Digest,
    signal?: AbortSignal,
  ): Promise<Readable> => {
    const res = await send(
      () =>
        client.send(new GetObjectCommand(object(key)), { abortSignal: signal }),
      key,
    );
    const etag = res.ETag;
    return (res.Body as Readable).pipe(
      digestCheck(key, () => etag && verifiedEtags.set(key, etag)),
    );
  };

  return {
    name: 's3',

    async get(key, o = {}) {
      if (!o.range) return getVerified(key, o.signal);
      if (!verifiedEtags.has(key))
        await pipeline(await getVerified(key, o.signal), discardSink());
      const res = await send(
        () =>
          client.send(
            new GetObjectCommand({
              ...object(key),
              Range: `bytes=${o.range!.start}-${o.range!.end}`,
              IfMatch: verifiedEtags.get(key),
            }),
            { abortSignal: o.signal },
          ),
        key,
      );
      return res.Body as Readable;
    },

    async put(key, body, o = {}) {
      let size = 0;
      const checked = body.pipe(digestCheck(key, (n) => (size = n)));
      body.on('error', (err) => checked.destroy(err));
      const upload = new Upload({
        client,
        params: {
          ...object(key),
          Body: checked,
          ContentType: 'application/octet-stream',
        },
      });
      o.signal?.addEventListener('abort', () => void upload.abort(), {
        once: true,
      });
      try {
        const done = await upload.done();
        if ('ETag' in done && done.ETag) verifiedEtags.set(key, done.ETag);
      } catch (err: unknown) {
        if (err instanceof StorageError) throw err;
        throw new StorageError(
          'BLOB_STORE_UNAVAILABLE',
          `failed to store ${key}: ${(err as Error).message}`,
          { cause: err },
        );
      }
      return { digest: key, sizeBytes: size };
    },

    async stat(key) {
      try {
        const head = await client.send(new HeadObjectCommand(object(key)));
        return { digest: key, sizeBytes: head.ContentLength ?? 0 };
      } catch (err: unknown) {
        if (isNotFound(err)) return undefined;
        throw new StorageError(
          'BLOB_STORE_UNAVAILABLE',
          `blob store unavailable: ${(err as Error).message}`,
          { cause: err },
        );
      }
    },

    async delete(key) {
      verifiedEtags.delete(key);
      await client.send(new DeleteObjectCommand(object(key)));
    },

    presign: (key, expiresSeconds) =>
      getSignedUrl(client, new GetObjectCommand(object(key)), {
        expiresIn: expiresSeconds,
      }),
  };
}

async function send<T>(call: () => Promise<T>, key: Digest): Promise<T> {
  try {
    return await call();
  } catch (err: unknown) {
    if (isNotFound(err))
      throw new StorageError('BLOB_NOT_FOUND', `blob ${key} is not stored`, {
        details: { digest: key },
      });
    throw new StorageError(
      'BLOB_STORE_UNAVAILABLE',
      `blob store unavailable: ${(err as Error).message}`,
      { cause: err },
    );
  }
}

function isNotFound(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return (
    e.name === 'NoSuchKey' ||
    e.name === 'NotFound' ||
    e.$metadata?.httpStatusCode === 404
  );
}
