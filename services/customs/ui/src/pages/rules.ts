/** The trust rules in force, their versions, and (admins) an edit with a preview. */
import { api } from '../api.js';
import { h, replace } from '../dom.js';
import { ago } from '../format.js';
import { errorBox, heading, row, table, time } from '../widgets.js';
import { changesTable, reload, type Change } from '../admin-widgets.js';

interface Rules {
  version: string;
  source: string;
  yaml: string;
  createdAt: string;
  createdBy: string;
}

/** `#/rules`. */
export async function rulesPage(
  main: HTMLElement,
  role: string,
): Promise<void> {
  const [rules, versions] = await Promise.all([
    api<Rules>('/rules'),
    api<{ versions: Rules[] }>('/rules/versions').catch(() => ({
      versions: [] as Rules[],
    })),
  ]);
  const editor: HTMLTextAreaElement = h('textarea', {
    id: 'rules-yaml',
    class: 'code',
    rows: '24',
    spellcheck: 'false',
    'aria-label': 'Rules (YAML)',
    readonly: role !== 'admin',
  });
  editor.value = rules.yaml;
  const out = h('div', { 'aria-live': 'polite' });
  const save: HTMLButtonElement = h(
    'button',
    { type: 'button', disabled: true },
    'Save rules',
  );
  editor.addEventListener('input', () => (save.disabled = true));
  const previewButton = h(
    'button',
    { type: 'button', class: 'secondary' },
    'Preview changes',
  );
  previewButton.addEventListener('click', () => {
    api<{ changes: Change[] }>('/rules/preview', {
      method: 'POST',
      body: { yaml: editor.value },
    })
      .then(({ changes }) => {
        replace(out, changesTable(changes));
        save.disabled = false;
      })
      .catch((err: unknown) => replace(out, errorBox(err)));
  });
  save.addEventListener('click', () => {
    api('/rules', { method: 'PUT', body: { yaml: editor.value } })
      .then(reload)
      .catch((err: unknown) => replace(out, errorBox(err)));
  });
  replace(
    main,
    heading(
      'Trust rules',
      h(
        'span',
        {},
        `version ${rules.version.slice(0, 12)} from ${rules.source}, by ${rules.createdBy}, `,
        time(rules.createdAt, ago(rules.createdAt)),
      ),
    ),
    editor,
    role === 'admin'
      ? h('div', { class: 'actions' }, previewButton, save)
      : null,
    out,
    h('h2', {}, 'Versions'),
    table(
      'Rule versions',
      ['Version', 'Source', 'By', 'When'],
      versions.versions.map((v) =>
        row(
          h('code', {}, v.version.slice(0, 12)),
          v.source,
          v.createdBy,
          time(v.createdAt, ago(v.createdAt)),
        ),
      ),
    ),
  );
}
