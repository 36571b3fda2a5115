import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  createServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createAdmissionHandler } from '../../lib/admission/http.js';
import { createCallerIdentifier } from '../../lib/registry/door/callers.js';
import { createDoor } from '../../lib/registry/door/door.js';
import { PullAuth } from '../../lib/registry/door/pull-auth.js';
import { nameOf } from '../../lib/registry/door/route.js';
import { storedManifests } from '../../lib/registry/cache/stored-manifests.js';
import { createApp } from './app.js';
import type { Deps } from './deps.js';

export interface RunningServer {
  server: Server;
  url: string;
  localToken: string;
  close(): Promise<void>;
}

/**
 * One node:http server: `/v2/*` (registry door) and `/admission/*` go to raw
 * handlers (hot paths, no framework), everything else to the express app.
 */
export async function startServer(
  deps: Deps,
  listen: { host: string; port: number },
): Promise<RunningServer> {
  const localToken = randomBytes(24).toString('base64url');
  const defaultEnvironment = deps.config.server.defaultEnvironment;
  const pullAuth = new PullAuth({
    credentials: deps.stores.pullCredentials,
    signingKey: await deps.stores.pullCredentials.sharedSecret(
      'door.token-signing-key',
    ),
    tokenTtlSeconds: deps.config.door.tokenTtlSeconds,
    anonymous: deps.config.door.anonymous,
    publicUrl: deps.config.door.publicUrl || undefined,
    repositoryOf: (name) => repositoryOf(deps, name),
    logger: deps.logger.child({ component: 'registry.door.auth' }),
  });
  const door = createDoor({
    upstream: deps.upstream,
    resolveTag: deps.resolveTag,
    blobs: deps.blobs,
    presignedRedirectSeconds:
      deps.config.cache.driver === 's3'
        ? deps.config.cache.presignedRedirectSeconds
        : 0,
    manifests: deps.stores.manifests,
    serving: deps.stores.serving,
    verdicts: deps.verdictCache,
    environments: deps.environments,
    defaultEnvironment,
    holdUnjudgedMs: deps.config.door.holdUnjudgedMs,
    local: deps.blobs.store ? storedManifests(deps.stores) : undefined,
    identify: createCallerIdentifier({
      anonymous: deps.config.door.anonymous,
      hosts: deps.config.door.hosts,
      authenticate: (req) => pullAuth.authenticate(req),
      challenge: (req) => pullAuth.challenge(req),
    }),
    upstreamUrl: deps.config.upstream.url,
    writes: deps.config.door.passThroughWrites
      ? {
          upstream: deps.upstream,
          upstreamUrl: deps.config.upstream.url,
          challenge: (req, scope) => pullAuth.challenge(req, scope),
          tagsWritten: deps.tagsWritten,
        }
      : undefined,
    logger: deps.logger,
    requestScan: (repository, digest) =>
      deps.requestScan(repository, digest, 'pulled before judged'),
  });
  const admission = createAdmissionHandler(
    {
      verdicts: deps.verdictCache,
      resolveTag: deps.resolveTag,
      environments: deps.environments,
      defaultEnvironment:
        deps.config.admission.defaultEnvironment ?? defaultEnvironment,
      upstreamHost: new URL(deps.config.upstream.url).host,
      namespaceEnvironments: deps.config.admission.namespaceEnvironments,
      onError: deps.config.admission.onError,
      breakGlassAnnotation: deps.config.admission.breakGlassAnnotation,
      audit: deps.stores.audit,
      logger: deps.logger,
    },
    { maxBodyBytes: deps.config.server.maxBodyBytes },
  );
  const app = createApp(deps, { localToken });
  const route = (req: IncomingMessage, res: ServerResponse): void => {
    const url = req.url ?? '/';
    if (url === '/v2' || url.startsWith('/v2/')) door(req, res);
    else if (url === '/token' || url.startsWith('/token?')) {
      pullAuth.serveToken(req, res).catch((err: unknown) => {
        deps.logger.error({ err }, 'unexpected failure issuing a pull token');
        res.destroy();
      });
    } else if (url.startsWith('/admission/')) admission(req, res);
    else app(req, res);
  };
  const tls = deps.config.server.tls;
  // Large socket buffers: blob bodies stream in 64 KiB+ chunks, and the
  // default 16 KiB mark would pause the upstream on nearly every chunk.
  const highWaterMark = 1024 * 1024;
  const server: Server = tls.certFile
    ? createTlsServer(
        {
          cert: readFileSync(tls.certFile),
          key: readFileSync(tls.keyFile),
          highWaterMark,
        },
        route,
      )
    : createServer({ highWaterMark }, route);
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host =
    address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `${tls.certFile ? 'https' : 'http'}://${host}:${address.port}`;
  deps.lock?.update({ apiUrl: url, localToken });
  return {
    server,
    url,
    localToken,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The upstream repository a name of a token scope stands for, as the door reads it. */
function repositoryOf(deps: Deps, name: string): string | undefined {
  try {
    return nameOf(name, {
      bound: undefined,
      defaultEnvironment: deps.config.server.defaultEnvironment,
      environments: deps.environments(),
    }).repository;
  } catch (err: unknown) {
    void err; // an invalid name is granted nothing
    return undefined;
  }
}
