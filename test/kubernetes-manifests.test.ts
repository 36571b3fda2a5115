/**
 * The Kubernetes manifests under config/kubernetes/admission/ match the
 * server: every path they call is an admission endpoint that answers, and
 * every webhook fails closed.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { createAdmissionHandler } from '../lib/admission/http.js';
import { createLogger } from '../lib/log/create-logger.js';
import { parseRules } from '../lib/policy/rules.js';

const DIR = new URL('../config/kubernetes/admission/', import.meta.url);
const environments = new Set(
  Object.keys(
    parseRules(
      readFileSync(
        new URL('../config/rules.example.yaml', import.meta.url),
        'utf8',
      ),
      () => '',
    ).environments,
  ),
);

interface Webhook {
  failurePolicy: string;
  clientConfig: { service: { path: string } };
  rules: Array<{ resources: string[] }>;
}

function documents(): Array<{ file: string; doc: Record<string, unknown> }> {
  return readdirSync(DIR)
    .filter((f) => f.endsWith('.yaml'))
    .flatMap((file) =>
      parseAllDocuments(readFileSync(new URL(file, DIR), 'utf8')).map((d) => ({
        file,
        doc: d.toJS() as Record<string, unknown>,
      })),
    );
}

/** Every URL path a manifest makes Kubernetes call. */
function calledPaths(): string[] {
  return documents().flatMap(({ doc }) => {
    switch (doc.kind) {
      case 'ValidatingWebhookConfiguration':
      case 'MutatingWebhookConfiguration':
        return (doc.webhooks as Webhook[]).map(
          (w) => w.clientConfig.service.path,
        );
      case 'Config':
        return (doc.clusters as Array<{ cluster: { server: string } }>).map(
          (c) => {
            const url = new URL(c.cluster.server);
            return url.pathname + url.search;
          },
        );
      case 'Provider':
        return [new URL((doc.spec as { url: string }).url).pathname];
      default:
        return [];
    }
  });
}

describe('config/kubernetes/admission', () => {
  let server: Server;
  let base: string;

  beforeAll(async () => {
    const unused = () => {
      throw new Error('not reached: the test sends invalid bodies');
    };
    const handler = createAdmissionHandler(
      {
        verdicts: { subjectOf: unused, verdictOf: unused },
        resolveTag: unused,
        environments: () => environments,
        defaultEnvironment: 'prod',
        upstreamHost: 'registry:5000',
        namespaceEnvironments: {},
        onError: 'deny',
        breakGlassAnnotation: false,
        audit: { append: unused },
        logger: createLogger({ level: 'silent' }),
      },
      { maxBodyBytes: 1024 },
    );
    server = createServer(handler);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('calls only paths the server answers', async () => {
    const paths = calledPaths();
    expect(paths).toEqual(
      expect.arrayContaining([
        '/admission/validate/prod',
        '/admission/mutate',
        '/admission/imagereview',
        '/admission/gatekeeper/prod',
      ]),
    );
    for (const path of paths) {
      const res = await fetch(`${base}${path}`, { method: 'POST', body: '{}' });
      // An endpoint that exists refuses an empty review as invalid.
      expect(res.status, path).toBe(400);
      expect(await res.json(), path).toMatchObject({
        error: { code: 'REVIEW_INVALID' },
      });
    }
    expect(
      (await fetch(`${base}/admission/nope`, { method: 'POST' })).status,
    ).toBe(404);
  });

  it('fails closed and covers Pods and every workload kind', () => {
    const webhooks = documents().flatMap(({ doc }) =>
      doc.kind?.toString().endsWith('WebhookConfiguration')
        ? (doc.webhooks as Webhook[])
        : [],
    );
    expect(webhooks.length).toBe(environments.size + 1);
    for (const w of webhooks) {
      expect(w.failurePolicy).toBe('Fail');
      expect(w.rules.flatMap((r) => r.resources).sort()).toEqual([
        'cronjobs',
        'daemonsets',
        'deployments',
        'jobs',
        'pods',
        'pods/ephemeralcontainers',
        'replicasets',
        'replicationcontrollers',
        'statefulsets',
      ]);
    }
    const config = documents().find(
      ({ doc }) => doc.kind === 'AdmissionConfiguration',
    );
    expect(JSON.stringify(config?.doc)).toContain('"defaultAllow":false');
  });
});
