/**
 * The Customs dashboard: a hash-routed single page on the public admin API.
 * The admin token the user logs in with stays in sessionStorage (gone when
 * the tab closes) and goes with every API call as a bearer token.
 */
import { api, ApiError, setToken, token } from './api.js';
import { h, replace } from './dom.js';
import { errorBox } from './widgets.js';
import { auditPage } from './pages/audit.js';
import { breakGlassPage } from './pages/break-glass.js';
import { exceptionsPage } from './pages/exceptions.js';
import { imagePage } from './pages/image.js';
import { imagesPage } from './pages/images.js';
import { intakePage } from './pages/intake.js';
import { rulesPage } from './pages/rules.js';

interface Whoami {
  name: string;
  role: string;
}

const NAV: Array<[string, string]> = [
  ['#/', 'Images'],
  ['#/rules', 'Rules'],
  ['#/exceptions', 'Exceptions'],
  ['#/break-glass', 'Break-glass'],
  ['#/audit', 'Audit log'],
  ['#/intake', 'Intake'],
];

const root = document.getElementById('app')!;

window.addEventListener('hashchange', () => void render());
void render();

async function render(): Promise<void> {
  if (!token()) return showLogin();
  let me: Whoami;
  try {
    me = await api<Whoami>('/whoami');
  } catch (err: unknown) {
    if (err instanceof ApiError && err.status === 401)
      return showLogin('That token is not valid (any more).');
    throw err;
  }
  const main = h('main', { id: 'main', tabindex: '-1' });
  replace(root, header(me), main);
  const [route, arg] = parseHash(location.hash);
  document.querySelectorAll('nav a').forEach((a) => {
    const current = a.getAttribute('href') === `#/${route}`;
    if (current) a.setAttribute('aria-current', 'page');
  });
  try {
    await page(route, arg, me)(main);
  } catch (err: unknown) {
    replace(main, errorBox(err));
  }
}

function page(
  route: string,
  arg: string,
  me: Whoami,
): (main: HTMLElement) => Promise<void> {
  switch (route) {
    case 'image':
      return (m) => imagePage(m, decodeURIComponent(arg));
    case 'rules':
      return (m) => rulesPage(m, me.role);
    case 'exceptions':
      return (m) => exceptionsPage(m, me.role);
    case 'break-glass':
      return (m) => breakGlassPage(m, me.role);
    case 'audit':
      return (m) => auditPage(m);
    case 'intake':
      return (m) => intakePage(m);
    default:
      return (m) => imagesPage(m, decodeURIComponent(arg));
  }
}

/** `#/image/<ref>` → ['image', '<ref>']; `#/` → ['', '']. */
function parseHash(hash: string): [string, string] {
  const path = hash.replace(/^#\/?/, '');
  const slash = path.indexOf('/');
  return slash === -1
    ? [path, '']
    : [path.slice(0, slash), path.slice(slash + 1)];
}

function header(me: Whoami): HTMLElement {
  return h(
    'header',
    { class: 'top' },
    h('a', { class: 'brand', href: '#/' }, 'Customs'),
    h(
      'nav',
      { 'aria-label': 'Sections' },
      ...NAV.map(([href, label]) => h('a', { href }, label)),
    ),
    h(
      'div',
      { class: 'who' },
      h('span', {}, `${me.name} · ${me.role}`),
      h(
        'button',
        {
          type: 'button',
          class: 'link',
          onclick: () => {
            setToken(null);
            void render();
          },
        },
        'Log out',
      ),
    ),
  );
}

function showLogin(problem?: string): void {
  const input = h('input', {
    id: 'token',
    type: 'password',
    autocomplete: 'off',
    required: true,
    placeholder: 'customs_…',
  });
  const form = h(
    'form',
    {
      class: 'login card',
      onsubmit: (e: Event) => {
        e.preventDefault();
        setToken(input.value.trim());
        void render();
      },
    },
    h('h1', {}, 'Customs'),
    h('p', { class: 'muted' }, 'What may be pulled where, and why not.'),
    h('label', { for: 'token' }, 'Admin API token'),
    input,
    problem ? h('p', { class: 'error', role: 'alert' }, problem) : null,
    h('button', { type: 'submit' }, 'Log in'),
    h(
      'p',
      { class: 'muted small' },
      'Create one with ',
      h('code', {}, 'customs admin-tokens create --name NAME --role viewer'),
      '. It is kept in this tab only.',
    ),
  );
  setToken(null);
  replace(root, form);
  input.focus();
}
