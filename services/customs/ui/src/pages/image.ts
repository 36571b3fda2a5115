/** One image: verdict per environment with its reasons, findings, packages, signatures, SBOM. */
import { api, download } from '../api.js';
import { h, replace } from '../dom.js';
import { advisoryUrl, ago, filterRows, severityRank } from '../format.js';
import { envBadge, errorBox, heading, row, table, time } from '../widgets.js';

interface Report {
  repository: string;
  digest: string;
  kind?: string;
  tags: string[];
  scan?: {
    status: string;
    finishedAt?: string;
    errorCode?: string;
    errorMessage?: string;
  };
  packages: Array<{
    ecosystem: string;
    name: string;
    version: string;
    purl: string;
    path: string;
    sourceName?: string;
    license?: string;
  }>;
  findings: Array<{
    advisoryId: string;
    aliases: string[];
    packageName: string;
    packageVersion: string;
    fixedVersion?: string;
    severity: string;
    status: string;
    summary?: string;
  }>;
  signatures: Array<{
    format: string;
    discoveredVia: string;
    status: string;
    reasonCode?: string;
    signer?: string;
    signers?: string[];
    identity?: { subject?: string; issuer?: string };
  }>;
  verdicts: Record<
    string,
    {
      status: string;
      reasons: Array<{
        code: string;
        message: string;
        details?: { advisories?: string[] };
      }>;
      rulesVersion: string;
      snapshotId: number | null;
      computedAt: string;
    }
  >;
}

/** `#/image/<repository>@<digest>`. */
export async function imagePage(main: HTMLElement, ref: string): Promise<void> {
  const report = await api<Report>(`/images/${ref}`);
  replace(
    main,
    heading(report.repository, h('code', { class: 'digest' }, report.digest)),
    h('p', {}, ...report.tags.map((t) => h('span', { class: 'chip' }, t))),
    verdictCards(report),
    findingsSection(report),
    packagesSection(report),
    signaturesSection(report),
    sbomSection(ref),
  );
}

function verdictCards(report: Report): HTMLElement {
  const envs = Object.keys(report.verdicts);
  return h(
    'section',
    { 'aria-labelledby': 'verdicts-h' },
    h('h2', { id: 'verdicts-h' }, 'Verdicts'),
    envs.length === 0 ? h('p', { class: 'muted' }, 'Not judged yet.') : null,
    h(
      'div',
      { class: 'cards' },
      ...envs.map((env) => {
        const v = report.verdicts[env]!;
        return h(
          'article',
          { class: `card verdict ${v.status}`, 'data-env': env },
          h('h3', {}, envBadge(env, v.status)),
          h(
            'ul',
            { class: 'reasons' },
            ...v.reasons.map((r) =>
              h('li', {}, h('code', {}, r.code), ' ', r.message),
            ),
          ),
          h(
            'p',
            { class: 'muted small' },
            'rules ',
            h('code', {}, v.rulesVersion.slice(0, 12)),
            ` · data snapshot ${v.snapshotId ?? '—'} · `,
            time(v.computedAt, ago(v.computedAt)),
          ),
        );
      }),
    ),
  );
}

function findingsSection(report: Report): HTMLElement {
  const blocks = blockedEnvironments(report);
  const blocking = (f: Report['findings'][number]) =>
    [f.advisoryId, ...f.aliases].flatMap((id) => blocks.get(id) ?? []);
  // What keeps an image out of an environment comes first.
  const findings = [...report.findings].sort(
    (a, b) =>
      Number(blocking(b).length > 0) - Number(blocking(a).length > 0) ||
      severityRank(a.severity) - severityRank(b.severity),
  );
  return h(
    'section',
    { 'aria-labelledby': 'findings-h' },
    h('h2', { id: 'findings-h' }, `Findings (${findings.length})`),
    table(
      'Findings',
      ['Severity', 'Advisory', 'Package', 'Fixed in', 'Summary'],
      findings.map((f) =>
        row(
          h('span', { class: `sev ${f.severity.toLowerCase()}` }, f.severity),
          h(
            'span',
            {},
            h(
              'a',
              {
                href: advisoryUrl(f.advisoryId),
                target: '_blank',
                rel: 'noopener noreferrer',
              },
              f.advisoryId,
            ),
            ...[...new Set(blocking(f))].map((env) =>
              h('span', { class: 'chip blocks' }, `blocks ${env}`),
            ),
          ),
          `${f.packageName} ${f.packageVersion}`,
          f.fixedVersion ?? h('span', { class: 'muted' }, 'no fix'),
          f.summary ?? (f.status === 'undetermined' ? 'undetermined' : ''),
        ),
      ),
      report.scan?.status === 'done'
        ? 'No known vulnerabilities.'
        : 'Not scanned yet.',
    ),
  );
}

/** Advisory id → environments whose verdict names it as a reason. */
function blockedEnvironments(report: Report): Map<string, string[]> {
  const blocks = new Map<string, string[]>();
  for (const [env, v] of Object.entries(report.verdicts))
    for (const r of v.reasons)
      for (const id of r.details?.advisories ?? [])
        blocks.set(id, [...(blocks.get(id) ?? []), env]);
  return blocks;
}

function packagesSection(report: Report): HTMLElement {
  const input = h('input', {
    id: 'package-filter',
    type: 'search',
    placeholder: 'Filter by name, version, ecosystem, license…',
    'aria-label': 'Filter packages',
  });
  const count = h('span', { class: 'muted', 'aria-live': 'polite' });
  const body = h('div', {});
  const draw = () => {
    const shown = filterRows(report.packages, input.value, (p) => [
      p.name,
      p.version,
      p.ecosystem,
      p.sourceName,
      p.purl,
      p.license,
    ]);
    count.textContent = `${shown.length} of ${report.packages.length}`;
    replace(
      body,
      table(
        'Packages',
        ['Name', 'Version', 'Ecosystem', 'License', 'Found in'],
        shown.map((p) =>
          row(
            p.name,
            p.version,
            p.ecosystem,
            p.license ?? '—',
            h('code', {}, p.path),
          ),
        ),
        'No packages match.',
      ),
    );
  };
  input.addEventListener('input', draw);
  draw();
  return h(
    'section',
    { 'aria-labelledby': 'packages-h' },
    h('h2', { id: 'packages-h' }, 'Packages ', count),
    h('div', { class: 'toolbar' }, input),
    body,
  );
}

function signaturesSection(report: Report): HTMLElement {
  return h(
    'section',
    { 'aria-labelledby': 'signatures-h' },
    h('h2', { id: 'signatures-h' }, `Signatures (${report.signatures.length})`),
    table(
      'Signatures',
      ['Result', 'Format', 'Found via', 'Signer', 'Identity'],
      report.signatures.map((s) =>
        row(
          h(
            'span',
            {
              class: `badge ${s.status === 'verified' ? 'eligible' : 'ineligible'}`,
            },
            s.status,
            s.reasonCode ? ` · ${s.reasonCode}` : '',
          ),
          s.format,
          s.discoveredVia,
          [s.signer, ...(s.signers ?? [])].filter(Boolean).join(', ') || '—',
          s.identity?.subject
            ? `${s.identity.subject} (${s.identity.issuer ?? 'no issuer'})`
            : '—',
        ),
      ),
      'No signatures found.',
    ),
  );
}

function sbomSection(ref: string): HTMLElement {
  const status = h('span', { 'aria-live': 'polite' });
  const button = (format: 'cyclonedx' | 'spdx', label: string) =>
    h(
      'button',
      {
        type: 'button',
        class: 'secondary',
        onclick: () => {
          download(`/images/${ref}/sbom?format=${format}`)
            .then((blob) => {
              const a = h('a', {
                href: URL.createObjectURL(blob),
                download: `${ref.replace(/[/:@]/g, '_')}.${format}.json`,
              });
              a.click();
              URL.revokeObjectURL(a.href);
              replace(status);
            })
            .catch((err: unknown) => replace(status, errorBox(err)));
        },
      },
      label,
    );
  return h(
    'section',
    { 'aria-labelledby': 'sbom-h' },
    h('h2', { id: 'sbom-h' }, 'SBOM'),
    h(
      'p',
      {},
      button('cyclonedx', 'Download CycloneDX'),
      ' ',
      button('spdx', 'Download SPDX'),
      status,
    ),
  );
}
