/**
 * Customs as a Harbor Pluggable Scanner: the Scanner Adapter API answered
 * as Harbor calls it, on a real registry and the real `customs serve`, with
 * reports validated against the adapter API's own OpenAPI schemas.
 */
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  runCustoms,
  startCustoms,
  type CustomsProcess,
} from '../helpers/customs-process.js';
import {
  freePort,
  pushTestImages,
  startRegistry,
  type RegistryHandle,
} from '../helpers/registry.js';

const SPEC = new URL(
  '../../../shared/fixtures/harbor-webhooks/harbor-scanner-adapter-openapi.yaml',
  import.meta.url,
).pathname;
const TRACKER = new URL(
  '../../../shared/data/raw/debian-security-tracker',
  import.meta.url,
).pathname;
const AUTH = 'Bearer harbor-registration-secret';

/** A validator of one schema of the adapter spec, its `$ref`s resolved. */
function schemaValidator(name: string): (value: unknown) => boolean {
  const spec = parse(readFileSync(SPEC, 'utf8')) as {
    components: { schemas: Record<string, unknown> };
  };
  const ajv = new Ajv({ strict: false, allErrors: true });
  ajv.addSchema({ $id: 'spec', components: spec.components }, 'spec');
  const text = JSON.stringify({ $ref: `spec#/components/schemas/${name}` });
  const validate = ajv.compile(JSON.parse(text) as object);
  return (value) => {
    const ok = validate(value);
    if (!ok) console.log(name, validate.errors);
    return ok;
  };
}

describe('Harbor scanner adapter', () => {
  let work: string;
  let registry: RegistryHandle;
  let customs: CustomsProcess;
  let digest: string;
  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${customs.url}/harbor/api/v1${path}`, {
      ...init,
      headers: {
        Authorization: AUTH,
        ...(init.headers as Record<string, string>),
      },
    });

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'customs-harbor-'));
    registry = await startRegistry();
    digest = (await pushTestImages(registry, ['debian']))[0]!.digest;
    const env = {
      CUSTOMS_DATADIR: join(work, 'data'),
      CUSTOMS_UPSTREAM__URL: registry.url,
      CUSTOMS_HARBORADAPTER__ENABLED: 'true',
      CUSTOMS_HARBORADAPTER__SECRET: AUTH,
      CUSTOMS_INTAKE__RECONCILE__ONSTART: 'false',
    };
    customs = await startCustoms(await freePort(), env);
    expect((await runCustoms(['vulndb', 'import', TRACKER], env)).code).toBe(0);
  }, 300_000);
  afterAll(async () => {
    await customs?.stop();
    await registry?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('describes itself, to Harbor only', async () => {
    expect((await fetch(`${customs.url}/harbor/api/v1/metadata`)).status).toBe(
      401,
    );
    const res = await api('/metadata');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(
      /^application\/vnd\.scanner\.adapter\.metadata\+json; version=1\.1/,
    );
    expect(schemaValidator('ScannerAdapterMetadata')(await res.json())).toBe(
      true,
    );
  });

  it('scans on request and reports the findings once the scan is done', async () => {
    const request = {
      registry: { url: registry.url, authorization: 'Basic cm9ib3Q6c2VjcmV0' },
      artifact: {
        repository: 'test/debian',
        digest,
        tag: 'bookworm-minbase',
        mime_type: 'application/vnd.oci.image.manifest.v1+json',
      },
    };
    const accepted = await api('/scan', {
      method: 'POST',
      headers: {
        'Content-Type':
          'application/vnd.scanner.adapter.scan.request+json; version=1.1',
      },
      body: JSON.stringify(request),
    });
    expect(accepted.status).toBe(202);
    const { id } = (await accepted.json()) as { id: string };
    const first = await api(`/scan/${id}/report`, { redirect: 'manual' });
    if (first.status === 302)
      expect(first.headers.get('refresh-after')).toBe('5');
    let report:
      | {
          vulnerabilities: Array<{
            id: string;
            package: string;
            severity: string;
            fix_version?: string;
          }>;
        }
      | undefined;
    const deadline = Date.now() + 60_000;
    while (!report && Date.now() < deadline) {
      const res = await api(`/scan/${id}/report`, {
        redirect: 'manual',
        headers: {
          Accept:
            'application/vnd.scanner.adapter.vuln.report.harbor+json; version=1.0',
        },
      });
      if (res.status === 200) report = (await res.json()) as typeof report;
      else await new Promise((r) => setTimeout(r, 200));
    }
    expect(report).toBeDefined();
    expect(schemaValidator('HarborVulnerabilityReport')(report)).toBe(true);
    expect(report!.vulnerabilities).toContainEqual(
      expect.objectContaining({
        id: 'CVE-2023-45853',
        package: 'zlib1g',
        fix_version: '1:1.3.dfsg-2',
      }),
    );
    const sbom = await api(`/scan/${id}/report`, {
      headers: {
        Accept: 'application/vnd.security.sbom.report+json; version=1.0',
      },
    });
    expect(sbom.status).toBe(200);
    expect(
      ((await sbom.json()) as { sbom: { packages: unknown[] } }).sbom.packages
        .length,
    ).toBeGreaterThanOrEqual(88);
  });

  it('refuses a malformed request and an unknown scan id', async () => {
    const bad = await api('/scan', {
      method: 'POST',
      body: JSON.stringify({
        registry: {},
        artifact: { repository: 'x', digest: 'sha256:1' },
      }),
    });
    expect(bad.status).toBe(422);
    expect(await bad.json()).toEqual({
      error: {
        message: expect.stringMatching(/artifact\.digest: invalid digest/),
      },
    });
    expect((await api('/scan/bm9wZQ/report')).status).toBe(404);
  });
});
