/**
 * The Data page: every user table with its document count, live
 * (`_system/frontend/listTables`), the chosen table's documents
 * (table-view.ts), and the deployed schema with each table's indexes
 * (`_system/frontend/getSchemas`). The chosen table is part of the address
 * (`#/data/<table>`), so a reload or a shared link opens it again.
 */
import type { ConvexClient } from 'convex/browser';
import { element, replaceChildren } from './element.ts';
import { errorText } from './error-text.ts';
import { getSchemas, listTables, type TableInfo } from './system-api.ts';
import { type TableView, tableView } from './table-view.ts';
import type { View } from './view.ts';

export const dataView: View = {
  title: 'Data',
  route: 'data',
  mount(container, { client, rest }) {
    const selected = rest === '' ? null : decodeURIComponent(rest);
    const list = element('ul', { class: 'tables', 'aria-label': 'Tables' });
    const main = element('div', { class: 'data-main' });
    const problem = element('p', { class: 'error', role: 'alert' });
    const schema = schemaPanel(client);
    let shown: TableView | null = null;
    replaceChildren(
      container,
      element(
        'div',
        { class: 'data' },
        element(
          'aside',
          {},
          element('h2', {}, 'Tables'),
          list,
          problem,
          schema.node,
        ),
        main,
      ),
    );
    const unsubscribe = client.onUpdate(
      listTables,
      {},
      (tables) => {
        problem.textContent = '';
        replaceChildren(
          list,
          ...tables.map((table) =>
            element(
              'li',
              {},
              element(
                'a',
                {
                  href: `#/data/${encodeURIComponent(table.name)}`,
                  'aria-current': table.name === selected ? 'page' : undefined,
                },
                element('span', {}, table.name),
                element('span', { class: 'count' }, table.documentCount),
              ),
            ),
          ),
        );
        if (tables.length === 0)
          replaceChildren(
            main,
            element(
              'p',
              { class: 'muted' },
              'No tables yet: a mutation that inserts a document makes one.',
            ),
          );
        const info = tables.find((table) => table.name === selected);
        if (info === undefined) {
          if (selected !== null && shown === null)
            replaceChildren(
              main,
              element(
                'p',
                { class: 'muted' },
                `There is no table ${selected}.`,
              ),
            );
          else if (selected === null && tables.length > 0)
            replaceChildren(
              main,
              element('p', { class: 'muted' }, 'Choose a table.'),
            );
        } else if (shown === null) {
          shown = tableView(client, info);
          replaceChildren(main, shown.node);
        } else {
          shown.update(info);
        }
        schema.show(tables);
      },
      (error) => {
        problem.textContent = errorText(error);
      },
    );
    return () => {
      unsubscribe();
      shown?.dispose();
      schema.dispose();
    };
  },
};

/** The schema as deployed, and each table's indexes with their state. */
function schemaPanel(client: ConvexClient): {
  node: HTMLElement;
  show(tables: TableInfo[]): void;
  dispose(): void;
} {
  const indexes = element('div', { class: 'indexes' });
  const source = element('pre', { class: 'schema-json' });
  const unsubscribe = client.onUpdate(
    getSchemas,
    {},
    ({ active }) => {
      source.textContent =
        active === null
          ? 'No schema: documents are not checked.'
          : JSON.stringify(JSON.parse(active), null, 2);
    },
    (error) => {
      source.textContent = errorText(error);
    },
  );
  return {
    node: element(
      'details',
      { class: 'schema' },
      element('summary', {}, 'Schema and indexes'),
      indexes,
      source,
    ),
    show(tables) {
      replaceChildren(
        indexes,
        ...tables.map((table) =>
          element(
            'div',
            {},
            element('h3', {}, table.name),
            element(
              'ul',
              {},
              ...table.indexes.map((index) =>
                element(
                  'li',
                  {},
                  `${index.name}: ${index.fields.join(', ')}`,
                  index.ready ? '' : ' (backfilling)',
                ),
              ),
            ),
          ),
        ),
      );
    },
    dispose: unsubscribe,
  };
}
