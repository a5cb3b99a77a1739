/**
 * The system queries that look at tables, as the CLI calls them
 * (convex-backend `system-udfs/convex/_system/cli/`):
 *
 * - `_system/cli/tables` `{paginationOpts}`: the user tables, `{name}` each,
 *   for `npx convex data`; Convex leaves out every table whose name starts
 *   with `_`, so does this;
 * - `_system/cli/tableData` `{table, order, paginationOpts}`: a table's
 *   documents by creation time, a page at a time, for `npx convex data
 *   <table>`; of the system tables only `_storage` and
 *   `_scheduled_functions` show documents, the others read as empty, as on
 *   Convex;
 * - `_system/cli/tableSize` `{tableName}`: how many documents a table holds,
 *   which `npx convex deploy` asks before it drops an index;
 * - `_system/cli/queryTable` `{tableName}`: reads a whole table and answers a
 *   random number, so that its subscriber hears of every change to the
 *   table: `npx convex dev` waits on it to push again after a push failed on
 *   the table's documents.
 *
 * Everything is read in the query's transaction, so a subscriber sees a new
 * table, document or count once it commits.
 */
import type { Value } from 'convex/values';
import { countDocuments } from './count-documents.ts';
import {
  type CursorPosition,
  decodeCursor,
  encodeCursor,
  queryFingerprint,
} from './page-cursor.ts';
import type { SystemQuery, SystemQueryOutcome } from './system-query.ts';
import {
  ORDER,
  PAGINATION_OPTS,
  type PaginationOpts,
} from './system-arguments.ts';

/** The system tables whose documents Convex shows (its "virtual" tables). */
const SHOWN_SYSTEM_TABLES: ReadonlySet<string> = new Set([
  '_storage',
  '_scheduled_functions',
]);
/**
 * At most this many documents per page, whatever `numItems` asks: Convex's
 * system queries cap the rows a page reads at 10,000 (`maximumRowsRead` in
 * `system-udfs/convex/_system/paginationLimits.ts`).
 */
export const MAX_PAGE_ROWS = 10_000;
const CREATION_ORDER_FIELDS = ['_creationTime', '_id'];

export const tables: SystemQuery = {
  args: {
    type: 'object',
    value: { paginationOpts: { fieldType: PAGINATION_OPTS, optional: false } },
  },
  async handler({ tx }) {
    const names = tx
      .tableNames()
      .filter((name) => !name.startsWith('_'))
      .sort();
    // Every user table fits one page: a deployment has at most thousands.
    return {
      success: true,
      value: {
        page: names.map((name) => ({ name })),
        isDone: true,
        continueCursor: encodeCursor({ kind: 'end' }, tablesFingerprint()),
      },
    };
  },
};

export const tableData: SystemQuery = {
  args: {
    type: 'object',
    value: {
      table: { fieldType: { type: 'string' }, optional: false },
      order: {
        fieldType: ORDER,
        optional: false,
      },
      paginationOpts: { fieldType: PAGINATION_OPTS, optional: false },
    },
  },
  async handler({ tx }, args) {
    const table = args['table'] as string;
    const order = args['order'] as 'asc' | 'desc';
    const { numItems, cursor } = args[
      'paginationOpts'
    ] as unknown as PaginationOpts;
    const fingerprint = queryFingerprint(
      { tableData: table, order },
      CREATION_ORDER_FIELDS,
    );
    let start: CursorPosition | null;
    try {
      start = cursor === null ? null : decodeCursor(cursor, fingerprint);
    } catch (error) {
      return { success: false, errorMessage: (error as Error).message };
    }
    const size = pageRows(numItems);
    if (!size.success) return size;
    if (isHidden(table) || start?.kind === 'end')
      return page([], { kind: 'end' }, fingerprint);
    const scanned = await tx.scan({
      table,
      index: 'by_creation_time',
      eq: [],
      order,
      limit: size.rows,
      after: start?.kind === 'after' ? start.key : undefined,
    });
    const position: CursorPosition =
      scanned.exhausted || scanned.lastKey === undefined
        ? { kind: 'end' }
        : { kind: 'after', key: scanned.lastKey };
    return page(scanned.documents, position, fingerprint);
  },
};

export const tableSize: SystemQuery = {
  args: {
    type: 'object',
    value: { tableName: { fieldType: { type: 'string' }, optional: false } },
  },
  async handler({ tx }, args) {
    const table = args['tableName'] as string;
    return {
      success: true,
      value: isHidden(table) ? 0 : await countDocuments(tx, table),
    };
  },
};

export const queryTable: SystemQuery = {
  args: {
    type: 'object',
    value: { tableName: { fieldType: { type: 'string' }, optional: false } },
  },
  async handler({ tx }, args) {
    const table = args['tableName'] as string;
    if (!isHidden(table)) await countDocuments(tx, table);
    return { success: true, value: Math.random() };
  },
};

/**
 * How many rows a page may hold: `numItems` floored, at least 1, at most
 * MAX_PAGE_ROWS; or the failure a NaN (which the validator lets through, a
 * number like any other) is answered with.
 */
export function pageRows(
  numItems: number,
): { success: true; rows: number } | { success: false; errorMessage: string } {
  if (Number.isNaN(numItems))
    return {
      success: false,
      errorMessage: 'paginationOpts.numItems must be a number, not NaN.',
    };
  return {
    success: true,
    rows: Math.max(1, Math.min(Math.floor(numItems), MAX_PAGE_ROWS)),
  };
}

/** A page of a system query's listing, its cursor after its last row or at the end. */
export function page(
  documents: Value[],
  position: CursorPosition,
  fingerprint: string,
): SystemQueryOutcome {
  return {
    success: true,
    value: {
      page: documents,
      isDone: position.kind === 'end',
      continueCursor: encodeCursor(position, fingerprint),
    },
  };
}

/** A private system table: it reads as empty, as on Convex. */
export function isHidden(table: string): boolean {
  return table.startsWith('_') && !SHOWN_SYSTEM_TABLES.has(table);
}

function tablesFingerprint(): string {
  return queryFingerprint({ tables: true }, []);
}
