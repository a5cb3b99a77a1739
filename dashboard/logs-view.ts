/**
 * The Logs page: a live tail of function runs (log-tail.ts), newest first:
 * when each ended, its kind, path, time, outcome and log lines, narrowed by
 * kind, outcome and text (log-filter.ts) as the filters change, without
 * asking the server again. The page keeps the latest MAX_SHOWN runs.
 *
 * States: tailing from mount to unmount (the poll is aborted then); the
 * status line says when the tail is retrying after a failed poll.
 */
import { element, replaceChildren } from './element.ts';
import { type LogFilter, NO_FILTER, passesLogFilter } from './log-filter.ts';
import { type LogEntry, tailFunctionLogs } from './log-tail.ts';
import type { View } from './view.ts';

/** Runs kept on the page: the server keeps 1,000, and a screen shows a few dozen. */
const MAX_SHOWN = 1000;

const KIND_NAMES: Record<LogEntry['udfType'], string> = {
  Query: 'query',
  Mutation: 'mutation',
  Action: 'action',
  HttpAction: 'HTTP action',
};

export const logsView: View = {
  title: 'Logs',
  route: 'logs',
  mount(container, context) {
    let entries: LogEntry[] = [];
    let filter: LogFilter = NO_FILTER;
    const status = element(
      'span',
      { class: 'muted', role: 'status' },
      'connecting…',
    );
    const rows = element('tbody', {});
    const text = element('input', {
      id: 'log-text',
      type: 'search',
      placeholder: 'path or log text',
      'aria-label': 'Filter text',
      oninput: () => {
        filter = { ...filter, text: text.value };
        render();
      },
    });
    const kind = element(
      'select',
      {
        id: 'log-kind',
        'aria-label': 'Kind',
        onchange: () => {
          filter = { ...filter, kind: kind.value as LogFilter['kind'] };
          render();
        },
      },
      element('option', { value: 'all' }, 'all kinds'),
      ...Object.entries(KIND_NAMES).map(([value, name]) =>
        element('option', { value }, name),
      ),
    );
    const outcome = element(
      'select',
      {
        id: 'log-outcome',
        'aria-label': 'Outcome',
        onchange: () => {
          filter = {
            ...filter,
            outcome: outcome.value as LogFilter['outcome'],
          };
          render();
        },
      },
      element('option', { value: 'all' }, 'all outcomes'),
      element('option', { value: 'success' }, 'succeeded'),
      element('option', { value: 'failure' }, 'failed'),
    );

    function render(): void {
      replaceChildren(
        rows,
        ...entries
          .filter((entry) => passesLogFilter(entry, filter))
          .map(entryRow),
      );
    }

    replaceChildren(
      container,
      element(
        'section',
        { class: 'logs' },
        element(
          'div',
          { class: 'toolbar' },
          text,
          kind,
          outcome,
          element('span', { class: 'spacer' }),
          status,
        ),
        element(
          'table',
          { class: 'log-table' },
          element(
            'thead',
            {},
            element(
              'tr',
              {},
              ...[
                'ended',
                'kind',
                'function',
                'time',
                'outcome',
                'log lines',
              ].map((heading) => element('th', {}, heading)),
            ),
          ),
          rows,
        ),
      ),
    );

    const stop = new AbortController();
    void tailFunctionLogs({
      origin: context.origin,
      adminKey: context.adminKey,
      signal: stop.signal,
      onEntries: (arrived) => {
        entries = [...[...arrived].reverse(), ...entries].slice(0, MAX_SHOWN);
        render();
      },
      onStatus: (state) => {
        status.textContent =
          state.state === 'live' ? 'live' : `retrying: ${state.reason}`;
      },
    });
    return () => stop.abort();
  },
};

function entryRow(entry: LogEntry): HTMLElement {
  const failed = entry.error !== null;
  return element(
    'tr',
    { class: failed ? 'failed' : undefined, 'data-request': entry.requestId },
    element(
      'td',
      {},
      new Date(entry.timestamp * 1000).toISOString().slice(11, 23),
    ),
    element('td', {}, KIND_NAMES[entry.udfType]),
    element('td', { 'data-field': 'path' }, entry.identifier),
    element('td', {}, `${(entry.executionTime * 1000).toFixed(1)} ms`),
    element(
      'td',
      { 'data-field': 'outcome' },
      failed ? (entry.error ?? '') : 'success',
    ),
    element(
      'td',
      { 'data-field': 'log-lines' },
      ...entry.logLines.map((line) => element('div', {}, line)),
    ),
  );
}
