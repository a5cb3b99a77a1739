/**
 * The dashboard's entry: the login page until an admin key checks out, then
 * the shell: a header with the deployment and its pages, and the page the
 * address names (`#/data`, …), mounted one at a time. Logging out drops the
 * key and the client.
 *
 * The page is served by the deployment it shows (`/dashboard`), so the
 * deployment's URL is this page's origin.
 */
import type { ConvexClient } from 'convex/browser';
import {
  adminClient,
  checkAdminKey,
  forgetKey,
  rememberKey,
  rememberedKey,
} from './admin-session.ts';
import { dataView } from './data-view.ts';
import { element, replaceChildren } from './element.ts';
import { functionsView } from './functions-view.ts';
import { healthView } from './health-view.ts';
import { loginView } from './login-view.ts';
import { logsView } from './logs-view.ts';
import type { View } from './view.ts';

const VIEWS: readonly View[] = [dataView, functionsView, logsView, healthView];
const DEFAULT_VIEW = dataView;

const origin = window.location.origin;
const root = document.getElementById('app') ?? document.body;

function showLogin(): void {
  replaceChildren(
    root,
    loginView({
      origin,
      onLogin: (key) => {
        rememberKey(key);
        showShell(key);
      },
    }),
  );
}

function showShell(key: string): void {
  const client: ConvexClient = adminClient(origin, key);
  const nav = element('nav', { 'aria-label': 'Pages' });
  const main = element('main', {});
  let unmount: (() => void) | null = null;
  const route = () => {
    const [name = '', ...rest] = window.location.hash
      .replace(/^#\/?/, '')
      .split('/');
    const view = VIEWS.find((candidate) => candidate.route === name);
    if (view === undefined) {
      window.location.hash = `#/${DEFAULT_VIEW.route}`;
      return;
    }
    unmount?.();
    replaceChildren(
      nav,
      ...VIEWS.map((candidate) =>
        element(
          'a',
          {
            href: `#/${candidate.route}`,
            'aria-current': candidate === view ? 'page' : undefined,
          },
          candidate.title,
        ),
      ),
    );
    document.title = `${view.title} · Converge`;
    unmount = view.mount(main, {
      client,
      origin,
      adminKey: key,
      rest: rest.join('/'),
    });
  };
  const logOut = () => {
    window.removeEventListener('hashchange', route);
    unmount?.();
    forgetKey();
    void client.close();
    showLogin();
  };
  replaceChildren(
    root,
    element(
      'header',
      { class: 'top' },
      element('strong', {}, 'Converge'),
      element('span', { class: 'muted' }, origin),
      nav,
      // The sync protocol's document, rendered by the server (not a view of this page).
      element('a', { href: '/protocol' }, 'Protocol'),
      element('button', { type: 'button', onclick: logOut }, 'Log out'),
    ),
    main,
  );
  window.addEventListener('hashchange', route);
  route();
}

const remembered = rememberedKey();
if (remembered === null) {
  showLogin();
} else {
  void checkAdminKey(origin, remembered).then((checked) => {
    if (checked.ok) {
      showShell(remembered);
    } else {
      forgetKey();
      showLogin();
    }
  });
}
