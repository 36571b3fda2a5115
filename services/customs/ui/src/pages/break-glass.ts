/** Break-glass grants: one digest eligible in one environment until an expiry. */
import { api } from '../api.js';
import { h, replace } from '../dom.js';
import { imageRoute, localInputToIso, shortDigest } from '../format.js';
import { errorBox, field, heading, row, table, time } from '../widgets.js';
import { reload, revokeButton } from '../admin-widgets.js';

interface Grant {
  id: number;
  repository: string;
  digest: string;
  environment: string;
  ticket: string;
  reason: string;
  expiresAt: string;
  createdBy?: string;
}

/** `#/break-glass`: operators and admins may grant and revoke. */
export async function breakGlassPage(
  main: HTMLElement,
  role: string,
): Promise<void> {
  const { grants } = await api<{ grants: Grant[] }>('/break-glass');
  const canWrite = role === 'operator' || role === 'admin';
  replace(
    main,
    heading(
      'Break-glass grants',
      'Emergency overrides: every one has a ticket and an end.',
    ),
    canWrite ? grantForm() : null,
    table(
      'Break-glass grants',
      ['Image', 'Environment', 'Ticket', 'Reason', 'By', 'Expires', ''],
      grants.map((g) =>
        row(
          h(
            'a',
            { href: imageRoute(g.repository, g.digest) },
            `${g.repository}@${shortDigest(g.digest)}`,
          ),
          g.environment,
          g.ticket,
          g.reason,
          g.createdBy ?? '—',
          time(g.expiresAt, new Date(g.expiresAt).toLocaleString()),
          canWrite ? revokeButton(`/break-glass/${g.id}`, 'Revoke') : '',
        ),
      ),
      'No grants.',
    ),
  );
}

function grantForm(): HTMLElement {
  const input = (name: string, attrs: Record<string, string | boolean> = {}) =>
    h('input', { name, id: `grant-${name}`, required: true, ...attrs });
  const repository = input('repository', { placeholder: 'team/app' });
  const digest = input('digest', { placeholder: 'sha256:…' });
  const environment = input('environment', { placeholder: 'prod' });
  const ticket = input('ticket', { placeholder: 'INC-1234' });
  const reason = input('reason');
  const expires = input('expiresAt', { type: 'datetime-local' });
  const status = h('div', { 'aria-live': 'polite' });
  const form = h(
    'form',
    { class: 'card form-grid', 'aria-label': 'New grant' },
    h('h2', {}, 'New grant'),
    field('Repository', repository),
    field('Digest', digest),
    field('Environment', environment),
    field('Ticket', ticket),
    field('Reason', reason),
    field('Expires', expires),
    h(
      'div',
      { class: 'actions' },
      h('button', { type: 'submit', class: 'danger' }, 'Grant'),
    ),
    status,
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    api('/break-glass', {
      method: 'POST',
      body: {
        repository: repository.value.trim(),
        digest: digest.value.trim(),
        environment: environment.value.trim(),
        ticket: ticket.value.trim(),
        reason: reason.value.trim(),
        expiresAt: localInputToIso(expires.value) ?? expires.value,
      },
    })
      .then(reload)
      .catch((err: unknown) => replace(status, errorBox(err)));
  });
  return form;
}
