/**
 * One table's documents, live: a page at a time through
 * `_system/frontend/paginatedTableDocuments`, in the order of a chosen index
 * (newest first by default), optionally filtered by one field. The page is
 * a subscription, so an insert, edit or delete by anyone shows as it
 * commits. Clicking a row opens it in the document panel; "Add document"
 * opens an empty one.
 *
 * Pages go forward by the cursor each page ends with, and back by the
 * cursors kept on the way; changing the index, order or filter starts again
 * at the first page.
 *
 * States: the subscription is replaced whenever its arguments change, and
 * dropped by `dispose`; the panel is either closed or shows one document
 * (or a new one).
 */
import type { ConvexClient } from 'convex/browser';
import { documentEditor } from './document-editor.ts';
import { element, replaceChildren } from './element.ts';
import { errorText } from './error-text.ts';
import {
  type Document,
  type DocumentPage,
  type FilterClause,
  type TableInfo,
  encodeFilters,
  paginatedTableDocuments,
} from './system-api.ts';
import { cellText, parseValue } from './value-text.ts';

/** Rows a page shows: a screen's worth. */
const PAGE_SIZE = 25;

const OPERATORS: FilterClause['op'][] = ['eq', 'neq', 'lt', 'lte', 'gt', 'gte'];

export interface TableView {
  node: HTMLElement;
  /** New facts about the table (its count, its indexes) from the table list. */
  update(info: TableInfo): void;
  dispose(): void;
}

export function tableView(client: ConvexClient, info: TableInfo): TableView {
  const table = info.name;
  let index = 'by_creation_time';
  let order: 'asc' | 'desc' = 'desc';
  let filter: FilterClause | null = null;
  /** The cursor each page visited so far starts at; the last is this page's. */
  let cursors: (string | null)[] = [null];
  let latest: DocumentPage | null = null;
  let unsubscribe: (() => void) | null = null;

  const count = element('span', { class: 'count' });
  const indexSelect = element('select', {
    id: 'index',
    'aria-label': 'Index',
    onchange: () => {
      index = indexSelect.value;
      restart();
    },
  });
  const orderSelect = element(
    'select',
    {
      id: 'order',
      'aria-label': 'Order',
      onchange: () => {
        order = orderSelect.value === 'asc' ? 'asc' : 'desc';
        restart();
      },
    },
    element('option', { value: 'desc' }, 'descending'),
    element('option', { value: 'asc' }, 'ascending'),
  );
  const filterField = element('input', {
    id: 'filter-field',
    placeholder: 'field',
    'aria-label': 'Filter field',
  });
  const filterOp = element(
    'select',
    { id: 'filter-op', 'aria-label': 'Filter operator' },
    ...OPERATORS.map((op) => element('option', { value: op }, op)),
  );
  const filterValue = element('input', {
    id: 'filter-value',
    placeholder: 'value as JSON, e.g. "ada" or 3',
    'aria-label': 'Filter value',
  });
  const problem = element('p', { class: 'error', role: 'alert' });
  const grid = element('div', { class: 'grid' });
  const pager = element('div', { class: 'pager' });
  const panel = element('div', { class: 'panel' });

  const applyFilter = (event: Event) => {
    event.preventDefault();
    const field = filterField.value.trim();
    if (field === '') {
      filter = null;
    } else {
      const parsed = parseValue(filterValue.value);
      if (!parsed.ok) {
        problem.textContent = `Filter value: ${parsed.message}`;
        return;
      }
      filter = {
        field,
        op: filterOp.value as FilterClause['op'],
        value: parsed.json,
      };
    }
    restart();
  };
  const clearFilter = () => {
    filterField.value = '';
    filterValue.value = '';
    filter = null;
    restart();
  };

  const openEditor = (document: Document | null) => {
    replaceChildren(
      panel,
      documentEditor({
        client,
        table,
        document,
        onClose: () => replaceChildren(panel),
      }),
    );
  };

  function subscribe(): void {
    unsubscribe?.();
    problem.textContent = '';
    const cursor = cursors[cursors.length - 1] ?? null;
    unsubscribe = client.onUpdate(
      paginatedTableDocuments,
      {
        table,
        paginationOpts: { numItems: PAGE_SIZE, cursor },
        filters: encodeFilters(filter === null ? [] : [filter]),
        index,
        order,
      },
      (page) => {
        latest = page;
        problem.textContent = '';
        render();
      },
      (error) => {
        problem.textContent = errorText(error);
      },
    );
  }

  function restart(): void {
    cursors = [null];
    latest = null;
    subscribe();
  }

  function render(): void {
    const page = latest;
    if (page === null) return;
    replaceChildren(grid, documentGrid(page.page, openEditor));
    const pageNumber = cursors.length;
    replaceChildren(
      pager,
      element(
        'button',
        {
          type: 'button',
          disabled: pageNumber === 1,
          onclick: () => {
            cursors = cursors.slice(0, -1);
            subscribe();
          },
        },
        'Previous',
      ),
      element('span', { class: 'muted' }, `page ${pageNumber}`),
      element(
        'button',
        {
          type: 'button',
          disabled: page.isDone,
          onclick: () => {
            cursors = [...cursors, page.continueCursor];
            subscribe();
          },
        },
        'Next',
      ),
    );
  }

  function update(next: TableInfo): void {
    count.textContent = `${next.documentCount} documents`;
    replaceChildren(
      indexSelect,
      ...next.indexes.map((candidate) =>
        element(
          'option',
          {
            value: candidate.name,
            selected: candidate.name === index,
            disabled: !candidate.ready,
          },
          `${candidate.name} (${candidate.fields.join(', ')})${candidate.ready ? '' : ' — backfilling'}`,
        ),
      ),
    );
  }

  update(info);
  subscribe();
  const node = element(
    'section',
    { class: 'table-view', 'aria-label': `Table ${table}` },
    element(
      'header',
      {},
      element('h2', {}, table),
      count,
      element(
        'button',
        { type: 'button', class: 'primary', onclick: () => openEditor(null) },
        'Add document',
      ),
    ),
    element(
      'form',
      { class: 'toolbar', onsubmit: applyFilter },
      element('label', {}, 'Sorted by ', indexSelect),
      orderSelect,
      element('span', { class: 'spacer' }),
      element('label', {}, 'Filter ', filterField),
      filterOp,
      filterValue,
      element('button', { type: 'submit' }, 'Apply'),
      element('button', { type: 'button', onclick: clearFilter }, 'Clear'),
    ),
    problem,
    panel,
    grid,
    pager,
  );
  return {
    node,
    update,
    dispose: () => {
      unsubscribe?.();
      unsubscribe = null;
    },
  };
}

/** The page as a table: `_id` first, then fields as they first appear, `_creationTime` last. */
function documentGrid(
  documents: Document[],
  open: (document: Document) => void,
): HTMLElement {
  if (documents.length === 0)
    return element('p', { class: 'muted' }, 'No documents.');
  const fields: string[] = [];
  for (const document of documents)
    for (const field of Object.keys(document))
      if (
        field !== '_id' &&
        field !== '_creationTime' &&
        !fields.includes(field)
      )
        fields.push(field);
  const columns = ['_id', ...fields, '_creationTime'];
  return element(
    'table',
    { class: 'documents' },
    element(
      'thead',
      {},
      element('tr', {}, ...columns.map((c) => element('th', {}, c))),
    ),
    element(
      'tbody',
      {},
      ...documents.map((document) =>
        element(
          'tr',
          {
            'data-id': document._id,
            tabindex: 0,
            onclick: () => open(document),
            onkeydown: (event) => {
              if ((event as KeyboardEvent).key === 'Enter') open(document);
            },
          },
          ...columns.map((column) =>
            element(
              'td',
              { 'data-field': column },
              column === '_creationTime'
                ? new Date(document._creationTime).toISOString()
                : cellText(document[column]),
            ),
          ),
        ),
      ),
    ),
  );
}
