/**
 * License rules at the door, end to end: the real app test image
 * (make-test-images.sh: npm packages under MIT, Python requests "Apache
 * 2.0" and certifi MPL-2.0) pushed to a real registry that notifies a real
 * `customs serve`. A rule denying MPL-2.0 refuses the image at the OCI read
 * door with the package, version and license in the reason; `customs rules
 * check` shows what relaxing it changes, and the relaxed rules file serves
 * it. The SBOM export carries the declared licenses.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitUntil } from '../helpers/customs-api.js';
import { runCustoms, type CustomsProcess } from '../helpers/customs-process.js';
import { startNotifiedStack } from '../helpers/notified-stack.js';
import { pushTestImages, type RegistryHandle } from '../helpers/registry.js';

const SECRET = 'license-door-secret';
const REPO = 'test/app-npm-python';
const STRICT = `version: 1
environments:
  dev:
    licenses: { deny: [MPL-2.0] }
`;
// "Apache 2.0" (requests' METADATA) is Apache-2.0.
const RELAXED = `version: 1
environments:
  dev:
    licenses: { allow: [MIT, Apache-2.0, MPL-2.0], unknown: deny }
`;

interface DoorError {
  errors: Array<{
    code: string;
    detail?: { reasons?: Array<{ code: string; message: string }> };
  }>;
}

describe('license rules at the door', () => {
  let registry: RegistryHandle;
  let customs: CustomsProcess;
  let env: Record<string, string>;
  let work: string;
  let digest: string;
  const rulesFile = () => join(work, 'rules.yaml');
  const door = () => fetch(`${customs.url}/v2/dev/${REPO}/manifests/${digest}`);
  const api = async (path: string): Promise<unknown> => {
    const res = await fetch(
      `${customs.url}/api/v1/images/${REPO}@${digest}${path}`,
      {
        headers: { Authorization: `Bearer ${customs.apiToken}` },
      },
    );
    expect(res.status).toBe(200);
    return res.json();
  };
  const devStatus = async () =>
    ((await api('')) as { verdicts: Record<string, { status: string }> })
      .verdicts['dev']?.status;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'customs-license-door-'));
    writeFileSync(rulesFile(), STRICT);
    ({ registry, customs, env } = await startNotifiedStack(work, SECRET, {
      CUSTOMS_RULES__FILE: rulesFile(),
      CUSTOMS_RULES__POLLINTERVALMS: '200',
    }));
    digest = (await pushTestImages(registry, ['app']))[0]!.digest;
    await waitUntil(
      'the app image judged in dev',
      async () =>
        ['eligible', 'ineligible'].includes((await devStatus()) ?? ''),
      () => customs.output().slice(-4000),
      120_000,
    );
  }, 300_000);

  afterAll(async () => {
    await customs?.stop();
    await registry?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('refuses the image at the door, naming package, version and license', async () => {
    const res = await door();
    expect(res.status).toBe(403);
    const body = (await res.json()) as DoorError;
    expect(body.errors[0]?.code).toBe('DENIED');
    expect(body.errors[0]?.detail?.reasons).toEqual([
      {
        code: 'LICENSE_DENIED',
        message:
          'license not acceptable in this environment: certifi@2018.4.16 (MPL-2.0)',
        details: {
          packages: [
            {
              ecosystem: 'PyPI',
              name: 'certifi',
              version: '2018.4.16',
              license: 'MPL-2.0',
            },
          ],
        },
      },
    ]);
    const explained = await runCustoms(
      ['explain', `${REPO}@${digest}`, '-e', 'dev'],
      env,
    );
    expect(explained.stdout).toContain('LICENSE_DENIED');
    expect(explained.stdout).toContain('certifi@2018.4.16 (MPL-2.0)');
  });

  it('exports the declared licenses in the SBOM', async () => {
    const sbom = (await api('/sbom?format=cyclonedx')) as {
      components: Array<{ name: string; licenses?: unknown }>;
    };
    expect(
      Object.fromEntries(sbom.components.map((c) => [c.name, c.licenses])),
    ).toMatchObject({
      lodash: [{ expression: 'MIT', acknowledgement: 'declared' }],
      requests: [{ expression: 'Apache-2.0', acknowledgement: 'declared' }],
      certifi: [{ expression: 'MPL-2.0', acknowledgement: 'declared' }],
    });
  });

  it('shows what relaxing the rule changes, then serves the image under it', async () => {
    const relaxed = join(work, 'relaxed.yaml');
    writeFileSync(relaxed, RELAXED);
    const check = await runCustoms(['rules', 'check', relaxed], env);
    expect(check.code).toBe(0);
    expect(check.stdout).toContain(
      `${REPO}@${digest} dev: ineligible -> eligible`,
    );
    writeFileSync(rulesFile(), RELAXED);
    await waitUntil(
      'the relaxed rules re-judged',
      async () => (await devStatus()) === 'eligible',
      () => customs.output().slice(-4000),
      30_000,
    );
    expect((await door()).status).toBe(200);
  }, 60_000);
});
