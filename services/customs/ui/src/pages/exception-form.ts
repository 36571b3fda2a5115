/** The form of a new exception: saved only after a preview of what it changes. */
import { api } from '../api.js';
import { h, replace } from '../dom.js';
import { defaultExpiryInput, localInputToIso } from '../format.js';
import { changesTable, reload, type Change } from '../admin-widgets.js';
import { errorBox, field } from '../widgets.js';

type Inputs = ReturnType<typeof exceptionInputs>;

/** The form; editing after a preview asks for a new one, so what is saved is what was seen. */
export function exceptionForm(): HTMLElement {
  const inputs = exceptionInputs();
  const preview = h('div', { class: 'preview', 'aria-live': 'polite' });
  const save: HTMLButtonElement = h(
    'button',
    { type: 'submit', disabled: true },
    'Save exception',
  );
  const previewButton = h(
    'button',
    { type: 'button', class: 'secondary' },
    'Preview changes',
  );
  const form: HTMLFormElement = h(
    'form',
    { class: 'card form-grid', 'aria-label': 'New exception' },
    h('h2', {}, 'New exception'),
    field(
      'Advisory',
      inputs.advisory,
      'An advisory id or alias (CVE, GHSA, DSA…)',
    ),
    field('Package', inputs.pkg),
    field('Repository', inputs.repository),
    field('Digest', inputs.digest),
    field('Environments', inputs.environments),
    field('Owner', inputs.owner),
    field('Justification', inputs.justification),
    field('Expires', inputs.expires),
    h('div', { class: 'actions' }, previewButton, save),
    preview,
  );
  form.addEventListener('input', () => (save.disabled = true));
  previewButton.addEventListener('click', () => {
    if (!form.reportValidity()) return;
    replace(preview, h('p', { class: 'muted' }, 'Computing…'));
    api<{ changes: Change[] }>('/exceptions/preview', {
      method: 'POST',
      body: exceptionBody(inputs),
    })
      .then(({ changes }) => {
        replace(preview, changesTable(changes));
        save.disabled = false;
      })
      .catch((err: unknown) => replace(preview, errorBox(err)));
  });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    save.disabled = true;
    api('/exceptions', { method: 'POST', body: exceptionBody(inputs) })
      .then(reload)
      .catch((err: unknown) => replace(preview, errorBox(err)));
  });
  return form;
}

function exceptionInputs() {
  const input = (name: string, attrs: Record<string, string | boolean> = {}) =>
    h('input', { name, id: `exception-${name}`, ...attrs });
  const expires = input('expiresAt', {
    type: 'datetime-local',
    required: true,
  });
  expires.value = defaultExpiryInput(new Date());
  return {
    advisory: input('advisoryId', {
      required: true,
      placeholder: 'CVE-2024-1234',
    }),
    pkg: input('package', { placeholder: 'optional: openssl' }),
    repository: input('repository', { placeholder: 'team/* (empty: any)' }),
    digest: input('digest', { placeholder: 'sha256:… (empty: any)' }),
    environments: input('environments', {
      placeholder: 'prod, test (empty: all)',
    }),
    owner: input('owner', { required: true, placeholder: 'team-payments' }),
    justification: h('textarea', {
      name: 'justification',
      id: 'exception-justification',
      required: true,
      rows: '2',
      placeholder: 'Why this finding does not apply',
    }),
    expires,
  };
}

/** The body of `POST /exceptions` (and its preview); empty scope parts mean "any". */
function exceptionBody(i: Inputs): object {
  const envs = i.environments.value.split(/[\s,]+/).filter(Boolean);
  const scope: Record<string, unknown> = {};
  if (i.repository.value.trim())
    scope['repository'] = i.repository.value.trim();
  if (i.digest.value.trim()) scope['digest'] = i.digest.value.trim();
  if (envs.length > 0) scope['environments'] = envs;
  return {
    advisoryId: i.advisory.value.trim(),
    ...(i.pkg.value.trim() ? { package: i.pkg.value.trim() } : {}),
    scope,
    owner: i.owner.value.trim(),
    justification: i.justification.value.trim(),
    expiresAt: localInputToIso(i.expires.value) ?? i.expires.value,
  };
}
