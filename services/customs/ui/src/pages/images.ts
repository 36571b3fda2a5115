/** Repositories and images: one row per digest, a badge per environment. */
import { api } from '../api.js';
import { h, replace } from '../dom.js';
import { ago, imageRoute, shortDigest } from '../format.js';
import { envBadge, heading, row, table, time } from '../widgets.js';

interface Repository {
  repository: string;
  images: number;
  lastSeenAt: string;
}

interface ImageRow {
  repository: string;
  digest: string;
  kind: string;
  tags: string[];
  scan: {
    status: string;
    finishedAt: string | null;
    errorCode: string | null;
  } | null;
  snapshotId: number | null;
  verdicts: Record<string, { status: string }>;
  signers: string[];
}

interface ImagesPage {
  environments: string[];
  images: ImageRow[];
  next: string | null;
}

/** `#/` (all repositories) or `#/<repository>`. */
export async function imagesPage(
  main: HTMLElement,
  repository: string,
): Promise<void> {
  const [{ repositories }, first] = await Promise.all([
    api<{ repositories: Repository[] }>('/repositories'),
    api<ImagesPage>(imagesPath(repository, undefined)),
  ]);
  const select = h(
    'select',
    {
      id: 'repository',
      'aria-label': 'Repository',
      onchange: () => {
        location.hash = select.value
          ? `#/${encodeURIComponent(select.value)}`
          : '#/';
      },
    },
    h('option', { value: '' }, `All repositories (${repositories.length})`),
    ...repositories.map((r) =>
      h(
        'option',
        { value: r.repository, selected: r.repository === repository },
        `${r.repository} (${r.images})`,
      ),
    ),
  );
  const body = h('div', {});
  const more = h('button', { type: 'button', class: 'secondary' }, 'Load more');
  let next = first.next;
  const rows: HTMLTableRowElement[] = first.images.map((i) =>
    imageRow(i, first.environments),
  );
  const draw = () => {
    replace(
      body,
      table(
        'Images',
        [
          'Image',
          'Tags',
          ...first.environments,
          'Last scan',
          'Data',
          'Signed by',
        ],
        rows,
        'No images yet: push one to the registry Customs watches.',
      ),
      next ? more : null,
    );
  };
  more.addEventListener('click', () => {
    void api<ImagesPage>(imagesPath(repository, next ?? undefined)).then(
      (page) => {
        rows.push(...page.images.map((i) => imageRow(i, first.environments)));
        next = page.next;
        draw();
      },
    );
  });
  draw();
  replace(
    main,
    heading('Images', 'What each environment may pull, and since when.'),
    h('div', { class: 'toolbar' }, select),
    body,
  );
}

function imagesPath(repository: string, cursor: string | undefined): string {
  const q = new URLSearchParams({ limit: '50' });
  if (repository) q.set('repository', repository);
  if (cursor) q.set('cursor', cursor);
  return `/images?${q.toString()}`;
}

function imageRow(i: ImageRow, environments: string[]): HTMLTableRowElement {
  const tr = row(
    h(
      'a',
      { href: imageRoute(i.repository, i.digest), class: 'image-link' },
      h('strong', {}, i.repository),
      h('br', {}),
      h('code', { class: 'digest' }, shortDigest(i.digest)),
      i.kind === 'index' ? h('span', { class: 'chip' }, 'index') : null,
    ),
    h('span', {}, ...i.tags.map((t) => h('span', { class: 'chip' }, t))),
    ...environments.map((env) => envBadge(env, i.verdicts[env]?.status)),
    i.scan
      ? h(
          'span',
          { class: i.scan.status === 'failed' ? 'error-text' : '' },
          time(
            i.scan.finishedAt,
            i.scan.status === 'done' ? ago(i.scan.finishedAt) : i.scan.status,
          ),
          i.scan.errorCode ? h('small', {}, ` ${i.scan.errorCode}`) : null,
        )
      : 'not scanned',
    i.snapshotId === null ? '—' : `snapshot ${i.snapshotId}`,
    i.signers.length > 0
      ? i.signers.join(', ')
      : h('span', { class: 'muted' }, 'unsigned'),
  );
  tr.dataset['repository'] = i.repository;
  tr.dataset['digest'] = i.digest;
  return tr;
}
