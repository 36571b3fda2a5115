/**
 * A node:http front of a real docker-registry that adds the OCI 1.1
 * referrers API (`GET /v2/<name>/referrers/<digest>`), which CNCF
 * Distribution 2.8 (the registry Debian ships) lacks. Every other request
 * is passed to the real registry untouched. Referrers are registered by the
 * test as a registry with the API would index them on push; repositories
 * not opted in answer 404, as a registry without the API does.
 */
import {
  createServer,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';

/** A referrer descriptor as the API lists it. */
export interface ListedReferrer {
  mediaType: string;
  digest: string;
  size: number;
  artifactType: string;
  annotations?: Record<string, string>;
}

/** The running front. */
export interface ReferrersProxy {
  url: string;
  /** `METHOD path` of every request, in order. */
  requests: string[];
  /** Lists `referrer` as a referrer of `subject` in `repository` (opts it in). */
  addReferrer(
    repository: string,
    subject: string,
    referrer: ListedReferrer,
  ): void;
  close(): Promise<void>;
}

const REFERRERS_RE = /^\/v2\/(.+)\/referrers\/(sha256:[a-f0-9]{64})$/;

/** Starts the front on a free loopback port. */
export async function startReferrersProxy(
  upstream: string,
): Promise<ReferrersProxy> {
  const referrers = new Map<string, ListedReferrer[]>();
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(`${req.method ?? ''} ${req.url ?? ''}`);
    void handle(req, res).catch((err: unknown) => {
      res.statusCode = 502;
      res.end(String(err));
    });
  });
  async function handle(
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    const m = REFERRERS_RE.exec(url.pathname);
    if (m && req.method === 'GET') {
      const listed = referrers.get(`${m[1]}@${m[2]}`);
      const optedIn = [...referrers.keys()].some((k) =>
        k.startsWith(`${m[1]}@`),
      );
      if (!optedIn) {
        res.writeHead(404, { 'Content-Type': 'application/json' });
        res.end('{"errors":[{"code":"NOT_FOUND","message":"page not found"}]}');
        return;
      }
      const type = url.searchParams.get('artifactType');
      const manifests = (listed ?? []).filter(
        (r) => !type || r.artifactType === type,
      );
      res.writeHead(200, {
        'Content-Type': 'application/vnd.oci.image.index.v1+json',
        ...(type ? { 'OCI-Filters-Applied': 'artifactType' } : {}),
      });
      res.end(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: 'application/vnd.oci.image.index.v1+json',
          manifests,
        }),
      );
      return;
    }
    const forwarded = await fetch(`${upstream}${req.url ?? ''}`, {
      method: req.method,
      headers: { accept: req.headers.accept ?? '*/*' },
      redirect: 'manual',
    });
    const headers: Record<string, string> = {};
    forwarded.headers.forEach((v, k) => {
      if (k !== 'content-encoding' && k !== 'transfer-encoding') headers[k] = v;
    });
    res.writeHead(forwarded.status, headers);
    res.end(Buffer.from(await forwarded.arrayBuffer()));
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    addReferrer(repository, subject, referrer) {
      const key = `${repository}@${subject}`;
      referrers.set(key, [...(referrers.get(key) ?? []), referrer]);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
