/** The trust rules in force, their versions, and a change with its preview. */
import { api } from '../api.js';
import { h, replace } from '../dom.js';
import { ago } from '../format.js';
import { errorBox, heading, row, table, time } from '../widgets.js';
import { changesTable, reload, type Change } from '../admin-widgets.js';

interface RuleVersion {
  version: number;
  contentHash: string;
  source: 'file' | 'api';
  yaml: string;
  createdAt: string;
  createdBy: string;
}

/**
 * `#/rules`. Operators and admins may preview an edit (which verdicts it
 * would change); admins save it, unless the rules come from `rules.file`
 * (then the file is the place to change them).
 */
export async function rulesPage(
  main: HTMLElement,
  role: string,
): Promise<void> {
  const [rules, { versions }] = await Promise.all([
    api<RuleVersion & { mode: 'file' | 'api' }>('/rules'),
    api<{ versions: RuleVersion[] }>('/rules/versions'),
  ]);
  const canPreview = role === 'operator' || role === 'admin';
  const canSave = role === 'admin' && rules.mode === 'api';
  const editor: HTMLTextAreaElement = h('textarea', {
    id: 'rules-yaml',
    class: 'code',
    rows: '24',
    spellcheck: 'false',
    'aria-label': 'Rules (YAML)',
    readonly: !canPreview,
  });
  editor.value = rules.yaml;
  replace(
    main,
    heading(
      'Trust rules',
      h(
        'span',
        {},
        `version ${rules.version} (${rules.contentHash.slice(0, 12)}) from ${rules.source === 'file' ? 'the rules file' : 'the API'}, by ${rules.createdBy}, `,
        time(rules.createdAt, ago(rules.createdAt)),
      ),
    ),
    rules.mode === 'file'
      ? h(
          'p',
          { class: 'muted' },
          'Rules come from rules.file: edit that file to change them; here you can preview what an edit would do.',
        )
      : null,
    editor,
    canPreview ? editActions(editor, canSave) : null,
    h('h2', {}, 'Versions'),
    table(
      'Rule versions',
      ['Version', 'Content', 'Source', 'By', 'When'],
      versions.map((v) =>
        row(
          String(v.version),
          h('code', {}, v.contentHash.slice(0, 12)),
          v.source,
          v.createdBy,
          time(v.createdAt, ago(v.createdAt)),
        ),
      ),
    ),
  );
}

/** Preview (and, for admins in API mode, save) the edited rules. */
function editActions(
  editor: HTMLTextAreaElement,
  canSave: boolean,
): HTMLElement {
  const out = h('div', { 'aria-live': 'polite' });
  const save: HTMLButtonElement = h(
    'button',
    { type: 'button', disabled: true },
    'Save rules',
  );
  const preview = h(
    'button',
    { type: 'button', class: 'secondary' },
    'Preview changes',
  );
  // Editing after a preview asks for a new one: what is saved is what was seen.
  editor.addEventListener('input', () => (save.disabled = true));
  preview.addEventListener('click', () => {
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
  return h(
    'div',
    {},
    h('div', { class: 'actions' }, preview, canSave ? save : null),
    out,
  );
}
