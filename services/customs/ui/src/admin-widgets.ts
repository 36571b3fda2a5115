/** Widgets of the admin pages that call the API: revoke buttons, verdict-change previews. */
import { api } from './api.js';
import { h } from './dom.js';
import { imageRoute, shortDigest } from './format.js';
import { envBadge, errorBox, row, table } from './widgets.js';

/** One verdict a change of exceptions or rules would change. */
export interface Change {
  repository: string;
  digest: string;
  environment: string;
  from: string | null;
  to: string;
}

/** Re-renders the current page (after a write). */
export function reload(): void {
  window.dispatchEvent(new HashChangeEvent('hashchange'));
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
      .then(reload)
      .catch((err: unknown) => b.replaceWith(errorBox(err)));
  });
  return b;
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
  );
}
