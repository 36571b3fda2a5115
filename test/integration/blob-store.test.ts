import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { digestHex } from '../../lib/core/digest.js';
import { createFsBlobStore } from '../../lib/storage/fs/fs-blob-store.js';
import { createS3BlobStore } from '../../lib/storage/s3/s3-blob-store.js';
import { startS3 } from '../helpers/s3.js';
import { describeBlobStore } from '../suites/blob-store.suite.js';

describeBlobStore('fs', () => {
  const root = mkdtempSync(join(tmpdir(), 'customs-blobs-'));
  return Promise.resolve({
    store: createFsBlobStore(root),
    corrupt: (key, bytes) =>
      Promise.resolve(
        writeFileSync(
          join(root, 'sha256', digestHex(key).slice(0, 2), digestHex(key)),
          bytes,
        ),
      ),
    cleanup: () =>
      Promise.resolve(rmSync(root, { recursive: true, force: true })),
  });
});

describeBlobStore('s3 (s3rver)', async () => {
  const peer = await startS3();
  const options = {
    bucket: peer.bucket,
    region: 'us-east-1',
    endpoint: peer.endpoint,
    forcePathStyle: true,
    prefix: 'blobs/',
    accessKeyId: peer.accessKeyId,
    secretAccessKey: peer.secretAccessKey,
  };
  const raw = new S3Client({
    region: 'us-east-1',
    endpoint: peer.endpoint,
    forcePathStyle: true,
    credentials: {
      accessKeyId: peer.accessKeyId,
      secretAccessKey: peer.secretAccessKey,
    },
  });
  return {
    store: createS3BlobStore(options),
    corrupt: async (key, bytes) => {
      await raw.send(
        new PutObjectCommand({
          Bucket: peer.bucket,
          Key: `blobs/sha256/${digestHex(key)}`,
          Body: bytes,
        }),
      );
    },
    cleanup: () => peer.stop(),
  };
});
