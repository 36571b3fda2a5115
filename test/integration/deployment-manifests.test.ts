/**
 * The compose file and the Kubernetes manifests parse, carry a Customs
 * config that the real loader accepts (only existing keys, env names
 * included), and point their parts at each other (registry notifications
 * at Customs with the intake secret, probes at /healthz and /readyz).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { loadConfig } from '../../lib/config/load.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const read = (p: string) => readFileSync(join(ROOT, p), 'utf8');

interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string };
  environment?: Record<string, string>;
  volumes?: string[];
  deploy?: { replicas?: number };
  ports?: string[];
}

/** Container path → file of this checkout, from `./x:/container/x:ro` mounts. */
function mounts(service: ComposeService): Map<string, string> {
  const map = new Map<string, string>();
  for (const v of service.volumes ?? []) {
    const [host, container] = v.split(':');
    if (host?.startsWith('./') && container)
      map.set(container, join(ROOT, 'compose', host));
  }
  return map;
}

describe('compose/compose.yaml', () => {
  const compose = parse(read('compose/compose.yaml')) as {
    services: Record<string, ComposeService>;
  };
  const customs = compose.services['customs']!;

  it('runs PostgreSQL, an S3 store, a registry and two Customs replicas', () => {
    expect(Object.keys(compose.services)).toEqual(
      expect.arrayContaining(['postgres', 'minio', 'registry', 'customs']),
    );
    expect(customs.deploy?.replicas).toBe(2);
    expect(customs.build).toEqual({
      context: '..',
      dockerfile: 'compose/Dockerfile',
    });
    // npm ci builds (the `prepare` script); the image carries the dashboard files.
    const dockerfile = read('compose/Dockerfile');
    expect(dockerfile).toMatch(/^RUN npm ci && npm prune --omit=dev$/m);
    expect(read('package.json')).toMatch(/"prepare": "npm run build"/);
    expect(dockerfile).toContain('services/customs/ui/static');
  });

  it('gives Customs a config the real loader accepts, on the shared database and the S3 cache', () => {
    const files = mounts(customs);
    const config = loadConfig({
      env: customs.environment ?? {},
      readFile: (p) => readFileSync(files.get(p) ?? p, 'utf8'),
    });
    expect(config.database.url).toMatch(/^postgres:\/\/[^@]+@postgres:5432\//);
    expect(config.upstream.url).toBe('http://registry:5000');
    expect(config.server).toMatchObject({ host: '0.0.0.0', port: 8080 });
    expect(config.cache).toMatchObject({
      driver: 's3',
      endpoint: 'http://minio:9000',
      accessKeyId: compose.services['minio']!.environment!['MINIO_ROOT_USER'],
      secretAccessKey:
        compose.services['minio']!.environment!['MINIO_ROOT_PASSWORD'],
    });
    expect(config.intake.secret).not.toBe('');
  });

  it('points the registry notifications at Customs with the intake secret', () => {
    const config = loadConfig({
      env: customs.environment ?? {},
      readFile: (p) => readFileSync(mounts(customs).get(p) ?? p, 'utf8'),
    });
    const registryConfig = [...mounts(compose.services['registry']!)].find(
      ([container]) => container === '/etc/docker/registry/config.yml',
    );
    const registry = parse(readFileSync(registryConfig![1], 'utf8')) as {
      notifications: {
        endpoints: Array<{
          url: string;
          headers: Record<string, string[]>;
          ignore?: { actions?: string[] };
        }>;
      };
    };
    const [endpoint] = registry.notifications.endpoints;
    expect(endpoint?.url).toBe(
      `http://customs:${config.server.port}/webhooks/distribution`,
    );
    expect(endpoint?.headers['Authorization']).toEqual([
      `Bearer ${config.intake.secret}`,
    ]);
    expect(endpoint?.ignore?.actions).toEqual(['pull']);
  });
});

describe('config/kubernetes', () => {
  const docs = readdirSync(join(ROOT, 'config/kubernetes'), {
    recursive: true,
  })
    .map(String)
    .filter((f) => /\.ya?ml$/.test(f))
    .flatMap((f) =>
      parseAllDocuments(read(`config/kubernetes/${f}`)).map((d) => {
        expect(d.errors, f).toEqual([]);
        return d.toJS() as {
          kind: string;
          metadata: { name: string };
          spec?: unknown;
          data?: Record<string, string>;
        };
      }),
    );
  const find = (kind: string, name: string) => {
    const doc = docs.find((d) => d.kind === kind && d.metadata.name === name);
    expect(doc, `${kind}/${name}`).toBeDefined();
    return doc!;
  };
  const deployment = find('Deployment', 'customs') as unknown as {
    spec: {
      replicas: number;
      template: {
        spec: {
          containers: Array<{
            env: Array<{
              name: string;
              value?: string;
              valueFrom?: { secretKeyRef: { name: string; key: string } };
            }>;
            ports: Array<{ name: string; containerPort: number }>;
            readinessProbe: { httpGet: { path: string } };
            livenessProbe: { httpGet: { path: string } };
            startupProbe: { httpGet: { path: string } };
            resources: { requests: object; limits: object };
          }>;
        };
      };
    };
  };
  const container = deployment.spec.template.spec.containers[0]!;

  it('runs replicas with probes on /healthz and /readyz and resources', () => {
    expect(deployment.spec.replicas).toBeGreaterThanOrEqual(2);
    expect(container.livenessProbe.httpGet.path).toBe('/healthz');
    expect(container.readinessProbe.httpGet.path).toBe('/readyz');
    expect(container.startupProbe.httpGet.path).toBe('/readyz');
    expect(container.resources.requests).toHaveProperty('memory');
    expect(container.resources.limits).toHaveProperty('memory');
  });

  it('carries a Customs config the real loader accepts, secrets by reference only', () => {
    const configMap = find('ConfigMap', 'customs-config');
    const env = Object.fromEntries(
      container.env.map((e) => [
        e.name,
        // A secret's value is the cluster's; any non-empty string stands for it.
        e.value ?? `from-secret-${e.valueFrom!.secretKeyRef.key}`,
      ]),
    );
    const secrets = container.env.filter((e) => e.valueFrom);
    expect(secrets.map((e) => e.valueFrom!.secretKeyRef.name)).toEqual(
      secrets.map(() => 'customs-secrets'),
    );
    expect(secrets.map((e) => e.name)).toEqual(
      expect.arrayContaining([
        'CUSTOMS_DATABASE__URL',
        'CUSTOMS_INTAKE__SECRET',
      ]),
    );
    const config = loadConfig({
      env,
      readFile: (p) => {
        expect(p).toBe('/etc/customs/customs.yaml');
        return configMap.data!['customs.yaml']!;
      },
    });
    expect(config.database.url).toBe('from-secret-database-url');
    expect(config.server.host).toBe('0.0.0.0');
    expect(container.ports.find((p) => p.name === 'http')?.containerPort).toBe(
      config.server.port,
    );
    expect(configMap.data!['customs.yaml']).not.toMatch(
      /secret|password|token/i,
    );
  });

  it('exposes Customs with a Service on its port', () => {
    const service = find('Service', 'customs') as unknown as {
      spec: { ports: Array<{ port: number; targetPort: string }> };
    };
    expect(service.spec.ports).toEqual([
      { name: 'http', port: 8080, targetPort: 'http' },
    ]);
  });
});
