/**
 * The dashboard's system queries that read documents (`_system/frontend/`,
 * convex-backend `system-udfs/convex/_system/frontend/`):
 *
 * - `paginatedTableDocuments` `{paginationOpts, table, filters, index?,
 *   order?}`: a page of a table's documents along one of its indexes
 *   (`by_creation_time` unless named), newest first unless `asc` is asked,
 *   keeping those that pass the dashboard's filters (dashboard-filter.ts).
 *   A page ends at `numItems` matches, or after 10,000 rows read whether or
 *   they matched or not (MAX_PAGE_ROWS, Convex's limit for system queries),
 *   with a cursor after the last row read so the next page goes on from
 *   there. An `endCursor` (what `usePaginatedQuery` sends once a page is
 *   loaded) pins the page's end instead, so that a rerun after a commit
 *   covers the same stretch of the index and no document falls between
 *   pages;
 * - `getById` `{table, id}`: one document, or null when there is none or
 *   the id is not one of that table's.
 *
 * Of the system tables only `_storage` and `_scheduled_functions` show, as
 * in `tableData`; a table that does not exist reads as an empty last page.
 * Everything is read through the query's transaction: what a page scanned
 * is its read set.
 */
import { documentIndexKey } from '../store/catalog.ts';
import { compareKeys } from '../store/compare-keys.ts';
import { decodeDocumentId } from '../store/document-id.ts';
import type { Document, Transaction } from '../store/store.ts';
import { type DashboardFilter, dashboardFilter } from './dashboard-filter.ts';
import {
  type CursorPosition,
  decodeCursor,
  queryFingerprint,
} from './page-cursor.ts';
import {
  ORDER,
  PAGINATION_OPTS,
  type PaginationOpts,
  STRING_OR_NULL,
} from './system-arguments.ts';
import type { SystemQuery, SystemQueryOutcome } from './system-query.ts';
import { MAX_PAGE_ROWS, isHidden, page, pageRows } from './system-tables.ts';

/** Rows per scan when a filter may reject many: few round trips, bounded memory. */
const FILTERED_BATCH = 1024;

/** Where a page reads: an index of an existing table, in an order, through a filter. */
interface PageScan {
  table: string;
  index: string;
  fields: readonly string[];
  order: 'asc' | 'desc';
  filter: DashboardFilter;
}

export const paginatedTableDocuments: SystemQuery = {
  args: {
    type: 'object',
    value: {
      paginationOpts: { fieldType: PAGINATION_OPTS, optional: false },
      table: { fieldType: { type: 'string' }, optional: false },
      filters: { fieldType: STRING_OR_NULL, optional: false },
      index: { fieldType: STRING_OR_NULL, optional: true },
      order: { fieldType: ORDER, optional: true },
    },
  },
  async handler({ tx }, args) {
    const table = args['table'] as string;
    const filters = args['filters'] as string | null;
    const parsed = dashboardFilter(filters);
    if (!parsed.success) return parsed;
    const { filter } = parsed;
    const index =
      (args['index'] as string | null | undefined) ?? 'by_creation_time';
    const order =
      (args['order'] as 'asc' | 'desc' | undefined) ?? filter.order ?? 'desc';
    const opts = args['paginationOpts'] as unknown as PaginationOpts;

    const missing = isHidden(table) || tx.tableNumber(table) === null;
    const description = missing ? null : tx.describeIndex(table, index);
    if (!missing && description === null)
      return failure(`Index ${table}.${index} not found.`);
    if (description !== null && !description.ready)
      return failure(`Index ${table}.${index} is still backfilling.`);
    const fields = description?.fields ?? [];
    const fingerprint = queryFingerprint(
      { frontendTable: table, index, order, filters },
      fields,
    );
    let start: CursorPosition | null;
    let end: CursorPosition | null;
    try {
      start =
        opts.cursor === null ? null : decodeCursor(opts.cursor, fingerprint);
      end =
        (opts.endCursor ?? null) === null
          ? null
          : decodeCursor(opts.endCursor as string, fingerprint);
    } catch (error) {
      return failure((error as Error).message);
    }
    if (missing) {
      // The table's creation must rerun this page: the scan records its absence.
      if (!isHidden(table))
        await tx.scan({ table, index, eq: [], order, limit: 1 });
      return page([], { kind: 'end' }, fingerprint);
    }
    if (start?.kind === 'end') return page([], { kind: 'end' }, fingerprint);
    const scan = { table, index, fields, order, filter };
    const size = pageRows(opts.numItems);
    if (!size.success) return size;
    const read = await readPage(tx, scan, {
      after: start?.kind === 'after' ? start.key : undefined,
      numItems: size.rows,
      end,
    });
    return page(read.documents, read.position, fingerprint);
  },
};

export const getById: SystemQuery = {
  args: {
    type: 'object',
    value: {
      table: { fieldType: { type: 'string' }, optional: false },
      id: { fieldType: { type: 'string' }, optional: false },
    },
  },
  async handler({ tx }, args) {
    const table = args['table'] as string;
    const id = args['id'] as string;
    const decoded = decodeDocumentId(id);
    const number = tx.tableNumber(table);
    if (isHidden(table) || decoded === null || decoded.tableNumber !== number)
      return { success: true, value: null };
    return { success: true, value: await tx.get(id) };
  },
};

/**
 * Reads an index from `after` until `numItems` documents pass the filter,
 * MAX_PAGE_ROWS rows are read, the index ends, or (when given) the pinned
 * end is passed; the position is where the next page starts.
 */
async function readPage(
  tx: Transaction,
  scan: PageScan,
  from: {
    after: Buffer | undefined;
    numItems: number;
    end: CursorPosition | null;
  },
): Promise<{ documents: Document[]; position: CursorPosition }> {
  const documents: Document[] = [];
  const endKey = from.end?.kind === 'after' ? from.end.key : undefined;
  let after = from.after;
  let rowsRead = 0;
  for (;;) {
    // A pinned page reads to its end: it read no more than a page the first time.
    const limit =
      from.end !== null
        ? FILTERED_BATCH
        : Math.min(
            scan.filter.empty
              ? from.numItems - documents.length
              : FILTERED_BATCH,
            MAX_PAGE_ROWS - rowsRead,
          );
    if (limit <= 0 && after !== undefined)
      return { documents, position: { kind: 'after', key: after } };
    const scanned = await tx.scan({
      table: scan.table,
      index: scan.index,
      eq: [],
      order: scan.order,
      limit,
      after,
    });
    for (const [i, document] of scanned.documents.entries()) {
      const key = documentIndexKey({ fields: scan.fields }, document);
      if (endKey !== undefined && beyond(key, endKey, scan.order))
        return { documents, position: from.end ?? { kind: 'end' } };
      rowsRead += 1;
      after = key;
      if (scan.filter.matches(document)) documents.push(document);
      const last = scanned.exhausted && i === scanned.documents.length - 1;
      if (from.end === null && documents.length >= from.numItems)
        return {
          documents,
          position: last ? { kind: 'end' } : { kind: 'after', key },
        };
    }
    if (scanned.exhausted || scanned.documents.length === 0)
      return { documents, position: from.end ?? { kind: 'end' } };
  }
}

/** Whether `key` lies past `end` in the scan's direction. */
function beyond(key: Buffer, end: Buffer, order: 'asc' | 'desc'): boolean {
  const direction = compareKeys(key, end);
  return order === 'asc' ? direction > 0 : direction < 0;
}

function failure(errorMessage: string): SystemQueryOutcome {
  return { success: false, errorMessage };
}
