/** Exceptions: list, and create one after seeing which verdicts it changes. */
import { api } from '../api.js';
import { h, replace } from '../dom.js';
import { shortDigest } from '../format.js';
import { revokeButton } from '../admin-widgets.js';
import { heading, row, table, time } from '../widgets.js';
import { exceptionForm } from './exception-form.js';

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
    canWrite ? exceptionForm() : null,
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
