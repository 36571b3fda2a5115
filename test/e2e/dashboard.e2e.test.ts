/**
 * The dashboard in headless Chromium (Debian's `chromium`, driven by
 * playwright-core) against a real `customs serve` fed by a real
 * docker-registry: log in with an admin token, see the images with their
 * badges, open an image, filter its packages, download its SBOM, look at
 * intake. Screenshots go to test-artifacts/dashboard/.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifactsDir, launchChromium } from '../helpers/browser.js';
import { waitUntil } from '../helpers/customs-api.js';
import { runCustoms, type CustomsProcess } from '../helpers/customs-process.js';
import { pushTestImages, type RegistryHandle } from '../helpers/registry.js';
import { startNotifiedStack } from '../helpers/notified-stack.js';

const SECRET = 'dashboard-intake-secret';

/** An attribute of each badge under `scope`, in order. */
async function badgeAttribute(
  scope: Locator,
  name: string,
): Promise<Array<string | null>> {
  const values: Array<string | null> = [];
  for (const badge of await scope.locator('.badge').all())
    values.push(await badge.getAttribute(name));
  return values;
}

/** The status of each badge under `scope` (from → to in a preview row). */
const badgeStatuses = (scope: Locator) => badgeAttribute(scope, 'data-status');

/** The example rules, with prod judged on findings only (so an exception can flip it). */
function prodWithoutSignatures(rules: string): string {
  const at = rules.indexOf('\n  prod:');
  return (
    rules.slice(0, at) +
    rules.slice(at).replace(/required: true/, 'required: false')
  );
}
const shared = (p: string) =>
  new URL(p, new URL('../../../shared/', import.meta.url)).pathname;

describe('dashboard in Chromium', () => {
  let work: string;
  let registry: RegistryHandle;
  let customs: CustomsProcess;
  let browser: Browser;
  let page: Page;
  let debian: string;
  const shots = artifactsDir('dashboard');
  const shot = (name: string) =>
    page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'customs-dashboard-'));
    writeFileSync(
      join(work, 'rules.yaml'),
      prodWithoutSignatures(
        readFileSync(
          new URL('../../config/rules.example.yaml', import.meta.url),
          'utf8',
        ),
      ),
    );
    const stack = await startNotifiedStack(work, SECRET, {
      CUSTOMS_RULES__FILE: join(work, 'rules.yaml'),
    });
    ({ registry, customs } = stack);
    const env = stack.env;
    const pushed = await pushTestImages(registry, ['debian', 'busybox']);
    debian = pushed.find((p) => p.ref.includes('/test/debian:'))!.digest;
    const imported = await runCustoms(
      [
        'vulndb',
        'import',
        shared('data/raw/debian-security-tracker'),
        shared('data/osv'),
      ],
      env,
    );
    expect(imported.code, imported.stderr).toBe(0);
    await waitUntil(
      'findings of the debian image',
      async () => {
        const res = await fetch(
          `${customs.url}/api/v1/images/test/debian@${debian}`,
          { headers: { Authorization: `Bearer ${customs.apiToken}` } },
        );
        const r = (await res.json()) as {
          findings?: unknown[];
          verdicts?: object;
        };
        return (
          (r.findings?.length ?? 0) > 0 &&
          Object.keys(r.verdicts ?? {}).length === 3
        );
      },
      () => customs.output().slice(-3000),
      120_000,
    );
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await customs?.stop();
    await registry?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('refuses a wrong token, then logs in with an admin token', async () => {
    await page.goto(`${customs.url}/`);
    await page.getByLabel('Admin API token').fill('customs_not-a-token');
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect
      .poll(() => page.getByRole('alert').textContent())
      .toContain('not valid');
    await page.getByLabel('Admin API token').fill(customs.apiToken);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'Images' }).waitFor();
    expect(await page.locator('.who').textContent()).toContain('admin');
  });

  it('lists each image with a badge per environment', async () => {
    const row = page.locator(`tr[data-digest="${debian}"]`);
    await row.waitFor();
    expect(await badgeAttribute(row, 'data-env')).toEqual([
      'dev',
      'test',
      'prod',
    ]);
    expect(await badgeStatuses(row)).toEqual([
      'eligible',
      'eligible',
      'ineligible',
    ]);
    expect(await row.textContent()).toContain('bookworm-minbase');
    expect(await page.locator('tbody tr').count()).toBe(2);
    await shot('dashboard');
  });

  it('opens the image: reasons per environment, findings with links, packages', async () => {
    await page.locator(`tr[data-digest="${debian}"] a.image-link`).click();
    await page.getByRole('heading', { name: 'Verdicts' }).waitFor();
    const prod = page.locator('article.verdict[data-env="prod"]');
    expect(await prod.locator('.reasons li').count()).toBeGreaterThan(0);
    expect(await prod.textContent()).toMatch(/SEVERITY_EXCEEDED/);
    const advisory = page
      .locator('section[aria-labelledby="findings-h"] tbody a')
      .first();
    // The advisories that keep it out of prod come first, marked as such.
    expect(
      await page
        .locator('section[aria-labelledby="findings-h"] tbody tr')
        .first()
        .locator('.chip.blocks')
        .textContent(),
    ).toBe('blocks prod');
    expect(await advisory.getAttribute('href')).toMatch(
      /^https:\/\/(nvd\.nist\.gov|osv\.dev|github\.com)\//,
    );
    await shot('image');
  });

  it('filters the packages', async () => {
    const rows = page.locator('section[aria-labelledby="packages-h"] tbody tr');
    const all = await rows.count();
    expect(all).toBe(88);
    await page.getByLabel('Filter packages').fill('libc');
    await expect.poll(() => rows.count()).toBeLessThan(all);
    const names = await rows.locator('td:first-child').allTextContents();
    expect(names).toContain('libc6');
    expect(
      (await rows.allTextContents()).every((t) =>
        t.toLowerCase().includes('libc'),
      ),
    ).toBe(true);
    await shot('image-packages-filtered');
  });

  it('downloads the SBOM as CycloneDX', async () => {
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download CycloneDX' }).click(),
    ]);
    const path = join(work, 'sbom.json');
    await download.saveAs(path);
    const sbom = JSON.parse(readFileSync(path, 'utf8')) as {
      bomFormat: string;
      components: unknown[];
    };
    expect(sbom.bomFormat).toBe('CycloneDX');
    expect(sbom.components.length).toBeGreaterThanOrEqual(88);
  });

  it('creates an exception after previewing what it changes, and the verdict changes', async () => {
    const api = (path: string, body?: object) =>
      fetch(`${customs.url}/api/v1${path}`, {
        method: body ? 'POST' : 'GET',
        headers: {
          Authorization: `Bearer ${customs.apiToken}`,
          'Content-Type': 'application/json',
        },
        body: body ? JSON.stringify(body) : undefined,
      });
    const report = (await (
      await api(`/images/test/debian@${debian}`)
    ).json()) as {
      verdicts: Record<
        string,
        {
          reasons: Array<{ code: string; details?: { advisories?: string[] } }>;
        }
      >;
    };
    const advisories = report.verdicts['prod']!.reasons.find(
      (r) => r.code === 'SEVERITY_EXCEEDED',
    )!.details!.advisories!;
    expect(advisories.length).toBeGreaterThan(0);
    // All but one by the API; the last one, which flips prod, in the page.
    const scope = { repository: 'test/debian', environments: ['prod'] };
    const expiresAt = new Date(Date.now() + 86_400_000).toISOString();
    for (const advisoryId of advisories.slice(0, -1)) {
      const res = await api('/exceptions', {
        advisoryId,
        scope,
        owner: 'platform',
        justification: 'not reachable in this image',
        expiresAt,
      });
      expect(res.status).toBe(201);
    }
    await page.getByRole('link', { name: 'Exceptions' }).click();
    await page.getByRole('heading', { name: 'New exception' }).waitFor();
    await page.getByLabel('Advisory').fill(advisories.at(-1)!);
    await page.getByLabel('Repository').fill('test/debian');
    await page.getByLabel('Environments').fill('prod');
    await page.getByLabel('Owner').fill('team-base-images');
    await page.getByLabel('Justification').fill('fixed by our patched build');
    const save = page.getByRole('button', { name: 'Save exception' });
    expect(await save.isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Preview changes' }).click();
    const change = page.locator('.changes tbody tr');
    await change.first().waitFor();
    expect(await change.count()).toBe(1);
    expect(await badgeStatuses(change)).toEqual(['ineligible', 'eligible']);
    await shot('exception-preview');
    await save.click();
    await page.locator('tbody tr', { hasText: 'team-base-images' }).waitFor();
    await page.getByRole('link', { name: 'Images' }).click();
    const prod = page.locator(
      `tr[data-digest="${debian}"] .badge[data-env="prod"]`,
    );
    await expect.poll(() => prod.getAttribute('data-status')).toBe('eligible');
    await page.locator(`tr[data-digest="${debian}"] a.image-link`).click();
    const card = page.locator('article.verdict[data-env="prod"]');
    await card.waitFor();
    expect((await card.getAttribute('class'))?.split(' ')).toContain(
      'eligible',
    );
    expect(await card.textContent()).not.toContain('SEVERITY_EXCEEDED');
    await shot('image-after-exception');
  });

  it('previews a change of the rules, and names every problem of a bad one', async () => {
    await page.getByRole('link', { name: 'Rules' }).click();
    const editor = page.getByLabel('Rules (YAML)');
    await editor.waitFor();
    expect(await page.locator('.page-head').textContent()).toMatch(
      /version \d+ \([0-9a-f]{12}\) from the rules file/,
    );
    const yaml = await editor.inputValue();
    const at = yaml.indexOf('\n  test:');
    await editor.fill(
      yaml.slice(0, at) +
        yaml.slice(at).replace('maxSeverity: high', 'maxSeverity: low'),
    );
    await page.getByRole('button', { name: 'Preview changes' }).click();
    const change = page.locator('.changes tbody tr', {
      hasText: 'test/debian',
    });
    await change.waitFor();
    expect(await badgeStatuses(change)).toEqual(['eligible', 'ineligible']);
    await shot('rules-preview');
    await editor.fill(
      'version: 1\nenvironments:\n  prod:\n    mode: sometimes\n',
    );
    await page.getByRole('button', { name: 'Preview changes' }).click();
    const alert = page.locator('div.error[role="alert"]');
    await alert.waitFor();
    expect(await alert.textContent()).toContain('RULES_INVALID');
    expect(await alert.locator('li').count()).toBeGreaterThan(0);
  });

  it('shows the audit log with the exception and the verdict change', async () => {
    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.getByRole('heading', { name: 'Audit log' }).waitFor();
    const actions = await page
      .locator('tbody tr td:nth-child(3)')
      .allTextContents();
    expect(actions).toContain('exception.create');
    expect(actions).toContain('verdict.change');
    await shot('audit');
  });

  it('shows break-glass grants with the form to add one', async () => {
    await page.getByRole('link', { name: 'Break-glass' }).click();
    await page.getByRole('heading', { name: 'New grant' }).waitFor();
    expect(await page.locator('tbody').textContent()).toContain('No grants.');
  });

  it('fits a phone screen', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByRole('link', { name: 'Images' }).click();
    await page.locator(`tr[data-digest="${debian}"]`).waitFor();
    // The page itself does not scroll sideways; the table scrolls in its box.
    expect(
      await page.evaluate('document.documentElement.scrollWidth'),
    ).toBeLessThanOrEqual(390);
    await shot('dashboard-phone');
    await page.setViewportSize({ width: 1360, height: 900 });
  });

  it('shows intake: queues, last events', async () => {
    await page.getByRole('link', { name: 'Intake' }).click();
    await page.getByRole('heading', { name: 'Last events' }).waitFor();
    const events = await page
      .locator('table:has(caption:text("Last events")) tbody tr')
      .allTextContents();
    expect(events.some((t) => t.includes('test/debian'))).toBe(true);
    await shot('intake');
  });
});
