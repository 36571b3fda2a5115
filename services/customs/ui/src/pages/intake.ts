/** Intake status: queues, last events, failed scans. */
import { api } from '../api.js';
import { h, replace } from '../dom.js';
import { ago, shortDigest } from '../format.js';
import { heading, row, table, time } from '../widgets.js';

interface IntakeStatus {
  events: Array<{
    source: string;
    eventId: string;
    receivedAt: string;
    action: string;
    repository: string;
    digest: string | null;
    tag: string | null;
    outcome: string;
  }>;
  failures: Array<{
    digest: string;
    repositories: string[];
    errorCode: string | null;
    errorMessage: string | null;
    at: string;
  }>;
  queues: Array<{
    queue: string;
    waiting: number;
    active: number;
    failed: number;
    oldestWaitingSeconds: number;
  }>;
}

/** `#/intake`. */
export async function intakePage(main: HTMLElement): Promise<void> {
  const s = await api<IntakeStatus>('/intake/status?limit=50');
  replace(
    main,
    heading(
      'Intake',
      'Registry events, the work they queued, and what failed.',
    ),
    h(
      'div',
      { class: 'cards' },
      ...(s.queues.length === 0
        ? [
            h(
              'article',
              { class: 'card stat' },
              h('h3', {}, 'Queues'),
              h('p', { class: 'big' }, '0'),
              h('p', { class: 'muted' }, 'no jobs yet'),
            ),
          ]
        : s.queues.map((q) =>
            h(
              'article',
              { class: 'card stat', 'data-queue': q.queue },
              h('h3', {}, q.queue),
              h('p', { class: 'big' }, String(q.waiting)),
              h(
                'p',
                { class: 'muted' },
                `waiting · ${q.active} running · ${q.failed} failed`,
                q.waiting > 0
                  ? ` · oldest ${Math.round(q.oldestWaitingSeconds)} s`
                  : '',
              ),
            ),
          )),
    ),
    h('h2', {}, 'Last events'),
    table(
      'Last events',
      ['Received', 'Source', 'Action', 'Image', 'Outcome'],
      s.events.map((e) =>
        row(
          time(e.receivedAt, ago(e.receivedAt)),
          e.source,
          e.action,
          `${e.repository}${e.tag ? `:${e.tag}` : ''}${e.digest ? ` ${shortDigest(e.digest)}` : ''}`,
          e.outcome,
        ),
      ),
      'No events received yet.',
    ),
    h('h2', {}, 'Failed scans'),
    table(
      'Failed scans',
      ['When', 'Image', 'Code', 'Message'],
      s.failures.map((f) =>
        row(
          time(f.at, ago(f.at)),
          `${f.repositories.join(', ')} ${shortDigest(f.digest)}`,
          f.errorCode ?? '—',
          f.errorMessage ?? '',
        ),
      ),
      'No failed scans.',
    ),
  );
}
