/** Exceptions: list, and create one after seeing which verdicts it changes. */
import { api } from '../api.js';
import { h, replace } from '../dom.js';
import { ago, imageRoute, localInputToIso, shortDigest } from '../format.js';
import {
  envBadge,
  errorBox,
  field,
  heading,
  row,
  table,
  time,
} from '../widgets.js';

interface PolicyException {
  id: number;
  advisoryId: string;
  package: string | null;
  scope: { digest?: string; repository?: string; environments?: string[] };
  owner: string;
  justification: string;
  expiresAt: string;
  createdBy?: string;
  revokedAt?: string | null;
}

interface Change {
  repository: string;
  digest: string;
  environment: string;
  from: string | null;
  to: string;
}

/** `#/exceptions`: operators and admins may create and revoke. */
export async function exceptionsPage(
  main: HTMLElement,
  role: string,
): Promise<void> {
  const { exceptions } = await api<{ exceptions: PolicyException[] }>(
    '/exceptions?active=true',
  );
  const canWrite = role === 'operator' || role === 'admin';
  replace(
    main,
    heading(
      'Exceptions',
      'A finding that does not count, for an owner, with a reason, until an expiry.',
    ),
    canWrite ? createForm() : null,
    h('h2', {}, `In force (${exceptions.length})`),
    table(
      'Exceptions in force',
      ['Advisory', 'Scope', 'Owner', 'Justification', 'Expires', ''],
      exceptions.map((x) =>
        row(
          h('strong', {}, x.advisoryId, x.package ? ` in ${x.package}` : ''),
          scopeText(x.scope),
          x.owner,
          x.justification,
          time(x.expiresAt, new Date(x.expiresAt).toLocaleString()),
          canWrite ? revokeButton(`/exceptions/${x.id}`, 'Revoke') : '',
        ),
      ),
      'No exceptions in force.',
    ),
  );
}

function scopeText(scope: PolicyException['scope']): string {
  const parts = [
    scope.repository ?? 'any repository',
    scope.digest ? shortDigest(scope.digest) : null,
    scope.environments?.length
      ? scope.environments.join(', ')
      : 'every environment',
  ];
  return parts.filter(Boolean).join(' · ');
}

/** A DELETE button that reloads the page when done. */
export function revokeButton(path: string, label: string): HTMLElement {
  const b: HTMLButtonElement = h(
    'button',
    { type: 'button', class: 'danger small' },
    label,
  );
  b.addEventListener('click', () => {
    if (!confirm(`${label}?`)) return;
    b.disabled = true;
    api(path, { method: 'DELETE' })
      .then(() => window.dispatchEvent(new HashChangeEvent('hashchange')))
      .catch((err: unknown) => b.replaceWith(errorBox(err)));
  });
  return b;
}

function createForm(): HTMLElement {
  const input = (name: string, attrs: Record<string, string | boolean> = {}) =>
    h('input', { name, id: `exception-${name}`, ...attrs });
  const advisory = input('advisoryId', {
    required: true,
    placeholder: 'CVE-2024-1234',
  });
  const pkg = input('package', { placeholder: 'optional: openssl' });
  const repository = input('repository', {
    placeholder: 'team/* (empty: any)',
  });
  const digest = input('digest', { placeholder: 'sha256:… (empty: any)' });
  const environments = input('environments', {
    placeholder: 'prod, test (empty: all)',
  });
  const owner = input('owner', {
    required: true,
    placeholder: 'team-payments',
  });
  const justification = h('textarea', {
    name: 'justification',
    id: 'exception-justification',
    required: true,
    rows: '2',
    placeholder: 'Why this finding does not apply',
  });
  const expires = input('expiresAt', {
    type: 'datetime-local',
    required: true,
  });
  expires.value = new Date(
    Date.now() + 30 * 86_400_000 - new Date().getTimezoneOffset() * 60_000,
  )
    .toISOString()
    .slice(0, 16);
  const preview = h('div', { class: 'preview', 'aria-live': 'polite' });
  const save: HTMLButtonElement = h(
    'button',
    { type: 'submit', disabled: true },
    'Save exception',
  );
  const form: HTMLFormElement = h(
    'form',
    { class: 'card form-grid', 'aria-label': 'New exception' },
    h('h2', {}, 'New exception'),
    field('Advisory', advisory, 'An advisory id or alias (CVE, GHSA, DSA…)'),
    field('Package', pkg),
    field('Repository', repository),
    field('Digest', digest),
    field('Environments', environments),
    field('Owner', owner),
    field('Justification', justification),
    field('Expires', expires),
    h(
      'div',
      { class: 'actions' },
      h(
        'button',
        {
          type: 'button',
          class: 'secondary',
          id: 'exception-preview',
          onclick: () => void runPreview(),
        },
        'Preview changes',
      ),
      save,
    ),
    preview,
  );
  const body = () => {
    const envs = environments.value.split(/[\s,]+/).filter(Boolean);
    const scope: Record<string, unknown> = {};
    if (repository.value.trim()) scope['repository'] = repository.value.trim();
    if (digest.value.trim()) scope['digest'] = digest.value.trim();
    if (envs.length > 0) scope['environments'] = envs;
    return {
      advisoryId: advisory.value.trim(),
      ...(pkg.value.trim() ? { package: pkg.value.trim() } : {}),
      scope,
      owner: owner.value.trim(),
      justification: justification.value.trim(),
      expiresAt: localInputToIso(expires.value) ?? expires.value,
    };
  };
  // Editing after a preview asks for a new one: what is saved is what was seen.
  form.addEventListener('input', () => {
    save.disabled = true;
  });
  async function runPreview(): Promise<void> {
    if (!form.reportValidity()) return;
    replace(preview, h('p', { class: 'muted' }, 'Computing…'));
    try {
      const { changes } = await api<{ changes: Change[] }>(
        '/exceptions/preview',
        { method: 'POST', body: body() },
      );
      replace(preview, changesTable(changes));
      save.disabled = false;
    } catch (err: unknown) {
      replace(preview, errorBox(err));
    }
  }
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    save.disabled = true;
    api('/exceptions', { method: 'POST', body: body() })
      .then(() => window.dispatchEvent(new HashChangeEvent('hashchange')))
      .catch((err: unknown) => replace(preview, errorBox(err)));
  });
  return form;
}

/** What a change of exceptions or rules would do to verdicts. */
export function changesTable(changes: Change[]): HTMLElement {
  return h(
    'div',
    { class: 'changes' },
    h(
      'h3',
      {},
      changes.length === 0
        ? 'No verdict would change.'
        : `${changes.length} verdict(s) would change`,
    ),
    changes.length === 0
      ? null
      : table(
          'Verdict changes',
          ['Image', 'Environment', 'From', 'To'],
          changes.map((c) =>
            row(
              h(
                'a',
                { href: imageRoute(c.repository, c.digest) },
                `${c.repository}@${shortDigest(c.digest)}`,
              ),
              c.environment,
              envBadge(c.environment, c.from ?? 'pending'),
              envBadge(c.environment, c.to),
            ),
          ),
        ),
    h(
      'p',
      { class: 'muted small' },
      `previewed ${ago(new Date().toISOString())}`,
    ),
  );
}
