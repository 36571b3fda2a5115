/**
 * The kube-apiserver calls webhooks over HTTPS only: with server.tls set,
 * the admission door answers over TLS with the configured certificate.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../lib/config/schema.js';
import { createLogger } from '../../lib/log/create-logger.js';
import { buildDeps, type Deps } from '../../services/customs/deps.js';
import {
  startServer,
  type RunningServer,
} from '../../services/customs/server.js';

describe('admission over TLS', () => {
  const work = mkdtempSync(join(tmpdir(), 'customs-tls-'));
  const certFile = join(work, 'cert.pem');
  const keyFile = join(work, 'key.pem');
  let deps: Deps;
  let server: RunningServer;

  beforeAll(async () => {
    // prettier-ignore
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1',
      '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '2',
      '-subj', '/CN=customs.customs.svc', '-addext', 'subjectAltName=IP:127.0.0.1',
    ], { stdio: 'ignore' });
    deps = await buildDeps(
      configSchema.parse({
        version: 1,
        dataDir: join(work, 'data'),
        upstream: { url: 'http://127.0.0.1:9' },
        server: { tls: { certFile, keyFile } },
        log: { level: 'silent' },
      }),
      createLogger({ level: 'silent' }),
      { work: false },
    );
    server = await startServer(deps, { host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await server?.close();
    await deps?.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('answers an AdmissionReview over HTTPS, trusted through the configured certificate', async () => {
    expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const body = JSON.stringify({
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      request: {
        uid: 'tls-1',
        kind: { group: '', version: 'v1', kind: 'Pod' },
        operation: 'CREATE',
        object: { spec: { containers: [] } },
      },
    });
    const answer = await new Promise<{ status: number; text: string }>(
      (resolve, reject) => {
        const req = request(
          `${server.url}/admission/validate/prod`,
          {
            method: 'POST',
            ca: readFileSync(certFile),
            headers: { 'Content-Type': 'application/json' },
          },
          (res) => {
            let text = '';
            res.on('data', (c: Buffer) => (text += c.toString()));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
          },
        );
        req.on('error', reject);
        req.end(body);
      },
    );
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.text)).toEqual({
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      response: { uid: 'tls-1', allowed: true },
    });
  });

  it('refuses a config with only one of certFile and keyFile', () => {
    expect(
      configSchema.safeParse({ version: 1, server: { tls: { certFile } } })
        .success,
    ).toBe(false);
  });
});
