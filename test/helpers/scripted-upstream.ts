/**
 * Scripted upstreams (fault-server) and the upstream clients that talk to
 * them, for the client's tests: both closed after each test.
 */
import { createHash } from 'node:crypto';
import { pino } from 'pino';
import { afterEach } from 'vitest';
import type { Digest } from '../../lib/core/digest.js';
import { MediaTypes } from '../../lib/core/media-types.js';
import {
  createUpstreamClient,
  type UpstreamClient,
  type UpstreamClientOptions,
} from '../../lib/registry/client/upstream-client.js';
import { startFaultServer, type FaultServer } from './fault-server.js';

export const REPO = 'library/app';

export function sha256(bytes: Buffer | string): Digest {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** A small OCI manifest and the headers a registry serves it with. */
export const MANIFEST = Buffer.from(
  JSON.stringify({
    schemaVersion: 2,
    mediaType: MediaTypes.ociManifest,
    layers: [],
  }),
);
export const manifestHeaders = {
  'content-type': MediaTypes.ociManifest,
  'docker-content-digest': sha256(MANIFEST),
};

/** Call at the top of a test file: registers the cleanup after each test. */
export function scriptedUpstreams(): {
  fake: (
    handler: Parameters<typeof startFaultServer>[0],
  ) => Promise<FaultServer>;
  client: (
    url: string,
    options?: Partial<UpstreamClientOptions>,
  ) => UpstreamClient;
} {
  const logger = pino({ level: 'silent' });
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  return {
    fake: async (handler) => {
      const server = await startFaultServer(handler);
      cleanups.push(() => server.close());
      return server;
    },
    client: (url, options = {}) => {
      const c = createUpstreamClient({ url, logger, ...options });
      cleanups.push(() => c.close());
      return c;
    },
  };
}
