/** The audit log: who changed what, newest first. */
import { api } from '../api.js';
import { h, replace } from '../dom.js';
import { ago } from '../format.js';
import { heading, row, table, time } from '../widgets.js';

interface Entry {
  id: number;
  at: string;
  actor: string;
  action: string;
  target: string;
  before: unknown;
  after: unknown;
}

/** `#/audit`. */
export async function auditPage(main: HTMLElement): Promise<void> {
  const { entries } = await api<{ entries: Entry[]; next: string | null }>(
    '/audit?limit=100',
  );
  replace(
    main,
    heading(
      'Audit log',
      'Every change to rules, exceptions, grants and tokens.',
    ),
    table(
      'Audit log',
      ['When', 'Who', 'What', 'Target', 'Change'],
      entries.map((e) =>
        row(
          time(e.at, ago(e.at)),
          e.actor,
          h('code', {}, e.action),
          e.target,
          h(
            'details',
            {},
            h('summary', {}, 'before / after'),
            h(
              'pre',
              {},
              JSON.stringify({ before: e.before, after: e.after }, null, 2),
            ),
          ),
        ),
      ),
      'No entries.',
    ),
  );
}
