/** Pieces the pages share: badges, tables, errors, forms. */
import { ApiError } from './api.js';
import { h } from './dom.js';
import { badgeOf } from './format.js';

/** An error as people read it: the API's code and message. */
export function errorBox(err: unknown): HTMLElement {
  const text =
    err instanceof ApiError
      ? err.status === 404 && err.code === 'NOT_FOUND'
        ? 'This part of the API is not available on this server yet.'
        : `${err.code}: ${err.message}`
      : err instanceof Error
        ? err.message
        : String(err);
  const problems = err instanceof ApiError ? err.problems : [];
  return h(
    'div',
    { class: 'error', role: 'alert' },
    h('p', {}, text),
    problems.length > 0
      ? h('ul', {}, ...problems.map((p) => h('li', {}, p)))
      : null,
  );
}

/** The badge of one environment: its name and status, coloured by status. */
export function envBadge(environment: string, status?: string): HTMLElement {
  const badge = badgeOf(status);
  return h(
    'span',
    {
      class: `badge ${badge}`,
      title: `${environment}: ${badge}`,
      'data-env': environment,
      'data-status': badge,
    },
    h('span', { class: 'env' }, environment),
    ' ',
    badge,
  );
}

/** A table with a caption, header cells and body rows. */
export function table(
  caption: string,
  headers: string[],
  rows: HTMLTableRowElement[],
  empty = 'Nothing yet.',
): HTMLElement {
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      {},
      h('caption', { class: 'sr-only' }, caption),
      h(
        'thead',
        {},
        h('tr', {}, ...headers.map((t) => h('th', { scope: 'col' }, t))),
      ),
      h(
        'tbody',
        {},
        ...(rows.length > 0
          ? rows
          : [
              h(
                'tr',
                {},
                h(
                  'td',
                  { colspan: String(headers.length), class: 'muted' },
                  empty,
                ),
              ),
            ]),
      ),
    ),
  );
}

/** A row of cells (strings become text). */
export function row(...cells: Array<Node | string>): HTMLTableRowElement {
  return h('tr', {}, ...cells.map((c) => h('td', {}, c)));
}

/** A page heading with an optional line under it. */
export function heading(title: string, sub?: Node | string): HTMLElement {
  return h(
    'div',
    { class: 'page-head' },
    h('h1', {}, title),
    sub ? h('p', { class: 'muted' }, sub) : null,
  );
}

/** A labelled form field. */
export function field(
  label: string,
  input: HTMLElement,
  hint?: string,
): HTMLElement {
  const id = input.id || `f-${label.toLowerCase().replace(/\W+/g, '-')}`;
  input.id = id;
  return h(
    'div',
    { class: 'field' },
    h('label', { for: id }, label),
    input,
    hint ? h('small', { class: 'muted' }, hint) : null,
  );
}

/** `<time>` with the full instant as its title. */
export function time(
  iso: string | null | undefined,
  text: string,
): HTMLElement {
  return h(
    'time',
    { datetime: iso ?? undefined, title: iso ?? undefined },
    text,
  );
}
