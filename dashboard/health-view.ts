/**
 * The Health page: what this process is doing, pushed a second at a time
 * (health-feed.ts): sessions, subscriptions and distinct queries; commits
 * and OCC retries per second; function runs of the last minute by kind with
 * their latency percentiles; uptime and memory. Below, the scheduled
 * functions and crons (jobs-panel.ts) and the environment variables
 * (environment-panel.ts), live through the official client.
 *
 * On several processes sharing a database, the figures are those of the
 * process the page reached; commits of all processes are shown beside its
 * own.
 */
import { environmentPanel } from './environment-panel.ts';
import { element, replaceChildren } from './element.ts';
import { type HealthSnapshot, followHealth } from './health-feed.ts';
import { jobsPanel } from './jobs-panel.ts';
import type { View } from './view.ts';

export const healthView: View = {
  title: 'Health',
  route: 'health',
  mount(container, context) {
    const status = element(
      'span',
      { class: 'muted', role: 'status' },
      'connecting…',
    );
    const figures = element('div', { class: 'figures' });
    const latency = element('tbody', {});
    const environment = environmentPanel(context);
    const jobs = jobsPanel(context.client);
    replaceChildren(
      container,
      element(
        'section',
        { class: 'health' },
        element(
          'header',
          { class: 'toolbar' },
          element('h2', {}, 'This process'),
          element('span', { class: 'spacer' }),
          status,
        ),
        figures,
        element('h2', {}, 'Function runs, last minute'),
        element(
          'table',
          { class: 'latency-table' },
          element(
            'thead',
            {},
            element(
              'tr',
              {},
              ...['kind', 'runs', 'failed', 'p50', 'p95', 'p99'].map((h) =>
                element('th', {}, h),
              ),
            ),
          ),
          latency,
        ),
        jobs.node,
        environment.node,
      ),
    );
    const stop = new AbortController();
    void followHealth({
      origin: context.origin,
      adminKey: context.adminKey,
      signal: stop.signal,
      onSnapshot: (snapshot) => {
        replaceChildren(figures, ...figureCards(snapshot));
        replaceChildren(
          latency,
          ...snapshot.functions.map((row) =>
            element(
              'tr',
              { 'data-kind': row.kind },
              element('td', {}, row.kind),
              element('td', {}, row.runs),
              element('td', {}, row.failed),
              element('td', {}, milliseconds(row.p50Ms)),
              element('td', {}, milliseconds(row.p95Ms)),
              element('td', {}, milliseconds(row.p99Ms)),
            ),
          ),
        );
      },
      onStatus: (state) => {
        status.textContent =
          state.state === 'live' ? 'live' : `retrying: ${state.reason}`;
      },
    });
    return () => {
      stop.abort();
      jobs.dispose();
      environment.dispose();
    };
  },
};

function figureCards(snapshot: HealthSnapshot): HTMLElement[] {
  const card = (name: string, value: string, detail = '') =>
    element(
      'div',
      { class: 'figure', 'data-figure': name },
      element('span', { class: 'figure-value' }, value),
      element('span', { class: 'figure-name' }, name),
      detail === '' ? null : element('span', { class: 'muted' }, detail),
    );
  const { sync, commits, occRetries, process } = snapshot;
  return [
    card('sessions', String(sync.sessions)),
    card('subscriptions', String(sync.subscriptions)),
    card('distinct queries', String(sync.distinctQueries)),
    card(
      'commits/s',
      rate(commits.perSecond),
      `${rate(commits.allProcessesPerSecond)}/s all processes · ${commits.total} in all`,
    ),
    card(
      'OCC retries/s',
      rate(occRetries.perSecond),
      `${occRetries.total} in all`,
    ),
    card(
      'uptime',
      duration(process.uptimeSeconds),
      `${process.store} · ${process.transport} uWebSockets.js · ${process.version}`,
    ),
    card(
      'memory',
      `${Math.round(process.residentBytes / 2 ** 20)} MiB`,
      `heap ${Math.round(process.heapUsedBytes / 2 ** 20)} MiB`,
    ),
  ];
}

function rate(perSecond: number): string {
  return perSecond >= 10 ? perSecond.toFixed(0) : perSecond.toFixed(1);
}

function milliseconds(ms: number): string {
  return `${ms < 10 ? ms.toFixed(2) : ms.toFixed(1)} ms`;
}

function duration(seconds: number): string {
  if (seconds < 120) return `${Math.floor(seconds)} s`;
  if (seconds < 7200) return `${Math.floor(seconds / 60)} min`;
  return `${Math.floor(seconds / 3600)} h`;
}
