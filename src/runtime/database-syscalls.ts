/**
 * The database ops of the syscall ABI for queries and mutations
 * (convex-runtime.md §2.2, §2.3), over one store transaction: reads,
 * queries and pages, writes (mutations only), and the system table guard
 * that keeps `db` on user tables and `db.system` on the two readable system
 * tables. Synchronous ops answer from what the transaction already knows
 * (the catalog). SyscallTable does the JSON, the run (udf-run.ts) the
 * ordering.
 */
import {
  type JSONValue,
  type Value,
  convexToJson,
  jsonToConvex,
} from 'convex/values';
import { FIRST_USER_TABLE_NUMBER, SYSTEM_TABLES } from '../store/catalog.ts';
import { decodeDocumentId } from '../store/document-id.ts';
import type { Document, DocumentPatch, Transaction } from '../store/store.ts';
import { countDocuments } from './count-documents.ts';
import {
  type CursorPosition,
  decodeCursor,
  encodeCursor,
  queryFingerprint,
} from './page-cursor.ts';
import {
  type Positioned,
  QueryStream,
  type StreamBounds,
} from './query-stream.ts';
import type { SearchIndexDefinition } from './search-indexes.ts';
import { SearchStream } from './search-stream.ts';
import { type ValidatorJson, validationError } from './validator.ts';
import type { AsyncOps, SyncOps, SyscallArgs } from './syscall-table.ts';
import {
  type CompiledQuery,
  type SerializedQuery,
  compileQuery,
  queryTarget,
} from './serialized-query.ts';

/** The two system tables functions may read, through `db.system`. */
const READABLE_SYSTEM_TABLES: ReadonlySet<number> = new Set(
  [...SYSTEM_TABLES]
    .filter(([name]) => name === '_scheduled_functions' || name === '_storage')
    .map(([, number]) => number),
);
/** What a search result's position is made of: relevance, then recency, then id. */
const SEARCH_POSITION_FIELDS = ['$relevance', '_creationTime', '_id'];
/** convex-backend's page size limit, and 3/4 of the 8192 array limit, past which a split is recommended. */
const MAX_PAGE_SIZE = 32_000;
const SPLIT_RECOMMENDED_ROWS = 6144;

interface PageArgs {
  query: SerializedQuery;
  cursor: string | null;
  endCursor: string | null;
  pageSize: number;
  maximumRowsRead: number | null;
  maximumBytesRead?: number;
}

interface PageResult {
  page: JSONValue[];
  isDone: boolean;
  continueCursor: string;
  splitCursor: string | null;
  pageStatus: 'SplitRecommended' | 'SplitRequired' | null;
}

/** What iterating a query or a search gives: documents with their positions. */
interface DocumentStream {
  next(): Promise<Positioned | null>;
  readonly rowsRead: number;
}

/** What the database ops read of a run. */
export interface DatabaseRun {
  readonly database: DatabaseSyscalls;
}

/**
 * The database state of one run of a query or mutation: its transaction,
 * its open query streams, and the page it paginated. The ops are built
 * once, as static tables whose handlers take the run.
 */
export class DatabaseSyscalls {
  readonly #tx: Transaction;
  readonly #kind: 'query' | 'mutation';
  /** The schema's text search indexes, by `table.index`. */
  readonly #searchIndexes: ReadonlyMap<string, SearchIndexDefinition>;
  /** The schema's document validators, by table: writes must satisfy them. */
  readonly #documentValidators: ReadonlyMap<string, ValidatorJson>;
  /** The journal of the previous run of this query: the pinned end of its page. */
  readonly #previousJournal: string | null;
  /** Made when the first query opens: many mutations open none. */
  #streams: Map<number, DocumentStream> | null = null;
  #nextQueryId = 0;
  /** Set by the one `paginate` a function may run: the end of its page, for the next run. */
  journal: string | null = null;
  #paginated = false;

  constructor(
    tx: Transaction,
    kind: 'query' | 'mutation',
    searchIndexes: ReadonlyMap<string, SearchIndexDefinition>,
    documentValidators: ReadonlyMap<string, ValidatorJson>,
    previousJournal: string | null,
  ) {
    this.#tx = tx;
    this.#kind = kind;
    this.#searchIndexes = searchIndexes;
    this.#documentValidators = documentValidators;
    this.#previousJournal = previousJournal;
  }

  static readonly syncOps: SyncOps<DatabaseRun> = {
    '1.0/queryStream': ({ database }, args) => ({
      queryId: database.#openQuery(args['query'] as unknown as SerializedQuery),
    }),
    '1.0/queryCleanup': ({ database }, args) =>
      database.#streams?.delete(args['queryId'] as number) ?? false,
    '1.0/db/normalizeId': ({ database }, args) => ({
      id: database.#normalizeId(
        args['table'] as string,
        args['idString'] as string,
      ),
    }),
    '1.0/getSnapshotTs': ({ database }) =>
      convexToJson(BigInt.asIntN(64, database.#tx.snapshotTs)),
  };

  /** Every kind has the writes: in a query they answer that it cannot write. */
  static readonly asyncOps: AsyncOps<DatabaseRun> = {
    '1.0/get': async ({ database }, args) =>
      documentJson(
        await database.#get(
          args['id'] as string,
          args['table'] as string | undefined,
          args['isSystem'] === true,
        ),
      ),
    '1.0/queryStreamNext': async ({ database }, args) => {
      const queryId = args['queryId'] as number;
      const stream = database.#streams?.get(queryId);
      if (!stream) throw new Error(`Query ${queryId} is not open.`);
      const next = await stream.next();
      if (!next) database.#streams?.delete(queryId);
      return {
        value: next && convexToJson(next.document),
        done: !next,
      };
    },
    '1.0/queryPage': async ({ database }, args) =>
      (await database.#page(
        args as unknown as PageArgs,
      )) as unknown as JSONValue,
    '1.0/count': async ({ database }, args) =>
      database.#count(args['table'] as string),
    '1.0/insert': async ({ database }, args) => {
      database.#assertMutation('insert');
      const table = args['table'] as string;
      if (table.startsWith('_'))
        throw new Error(`Cannot insert into system table ${table}.`);
      const fields = jsonToConvex(args['value'] ?? {}) as Record<string, Value>;
      for (const field of ['_id', '_creationTime'])
        if (field in fields)
          throw new Error(
            `Cannot insert a document with the system field \`${field}\`: Convex sets it.`,
          );
      database.#checkSchema(table, fields);
      return { _id: await database.#tx.insert(table, fields) };
    },
    '1.0/shallowMerge': async ({ database }, args) => {
      database.#assertMutation('patch');
      const id = database.#writableId(args);
      const patch = await database.#checkedSystemFields(
        id,
        patchFromJson(args['value'] ?? {}),
      );
      const current = await database.#tx.get(id);
      const table = current && database.#tableOf(id);
      if (current && table) {
        const next: Record<string, Value> = { ...current };
        for (const [field, value] of Object.entries(patch)) {
          if (value === undefined) delete next[field];
          else next[field] = value;
        }
        database.#checkSchema(table, next);
      }
      await database.#tx.patch(id, patch);
      return documentJson(await database.#tx.get(id));
    },
    '1.0/replace': async ({ database }, args) => {
      database.#assertMutation('replace');
      const id = database.#writableId(args);
      const fields = jsonToConvex(args['value'] ?? {}) as Record<string, Value>;
      const {
        _id: _ignoredId,
        _creationTime: _ignoredTime,
        ...rest
      } = await database.#checkedSystemFields(id, fields);
      const table = database.#tableOf(id);
      if (table) database.#checkSchema(table, rest);
      await database.#tx.replace(id, rest);
      return documentJson(await database.#tx.get(id));
    },
    '1.0/remove': async ({ database }, args) => {
      database.#assertMutation('delete');
      const id = database.#writableId(args);
      const before = await database.#tx.get(id);
      await database.#tx.delete(id);
      return documentJson(before);
    },
  };

  /** Throws Convex's error when a document (with or without system fields) breaks its table's validator. */
  #checkSchema(table: string, document: Record<string, Value>): void {
    const validator = this.#documentValidators.get(table);
    if (!validator) return;
    const {
      _id: _ignoredId,
      _creationTime: _ignoredTime,
      ...fields
    } = document;
    const problem = validationError(validator, fields, this.#tx);
    if (problem !== null)
      throw new Error(
        `Failed to insert or update a document in table "${table}" because it does not match the schema: ${problem}`,
      );
  }

  /** The name of the table a document id belongs to, among the tables the schema validates. */
  #tableOf(id: string): string | null {
    const decoded = decodeDocumentId(id);
    if (!decoded) return null;
    for (const table of this.#documentValidators.keys())
      if (this.#tx.tableNumber(table) === decoded.tableNumber) return table;
    return null;
  }

  #openQuery(query: SerializedQuery): number {
    const queryId = this.#nextQueryId++;
    (this.#streams ??= new Map()).set(
      queryId,
      this.#stream(query, this.#target(query)),
    );
    return queryId;
  }

  /** What a query reads: the text search index of a search, else its index range, compiled. */
  #target(query: SerializedQuery): SearchIndexDefinition | CompiledQuery {
    if (query.source.type !== 'Search') return this.#compile(query);
    const { indexName } = query.source;
    const index = this.#searchIndexes.get(indexName);
    if (!index) throw new Error(`Index ${indexName} not found.`);
    this.#assertReadable(index.table);
    return index;
  }

  /** A query's stream (from given bounds) over what it reads. */
  #stream(
    query: SerializedQuery,
    target: SearchIndexDefinition | CompiledQuery,
    bounds?: StreamBounds,
  ): DocumentStream {
    return 'searchField' in target
      ? new SearchStream(this.#tx, target, query, bounds)
      : new QueryStream(this.#tx, target, bounds);
  }

  /** The compiled query; a missing table reads as empty (and records that it was missing). */
  #compile(query: SerializedQuery): CompiledQuery {
    const { table, index } = queryTarget(query);
    this.#assertReadable(table);
    if (this.#tx.tableNumber(table) === null) {
      return {
        table,
        index,
        fields: ['_creationTime', '_id'],
        eq: [],
        order: 'asc',
        operators: [],
      };
    }
    const description = this.#tx.describeIndex(table, index);
    if (!description || !description.ready)
      throw new Error(`Index ${table}.${index} not found.`);
    return compileQuery(query, description);
  }

  /** One page of a paginated query (convex-runtime.md §3.4). */
  async #page(args: PageArgs): Promise<PageResult> {
    if (this.#paginated) {
      throw new Error(
        'This query or mutation function ran multiple paginated queries. Convex only supports a single paginated query in each function.',
      );
    }
    this.#paginated = true;
    if (args.pageSize <= 0)
      throw new Error(
        'NoDocumentsForPagination: paginate() requires numItems to be at least 1.',
      );
    if (args.pageSize > MAX_PAGE_SIZE) {
      throw new Error(
        `PageSizeTooLarge: paginate() was called with numItems ${args.pageSize}; the limit is ${MAX_PAGE_SIZE}.`,
      );
    }
    if (args.maximumRowsRead === 0 || args.maximumBytesRead === 0) {
      throw new Error(
        'InvalidPaginationLimit: maximumRowsRead and maximumBytesRead must be positive.',
      );
    }
    const target = this.#target(args.query);
    // A search's positions are keys of its position fields; an index range's, of its index's fields.
    const fields =
      'searchField' in target ? SEARCH_POSITION_FIELDS : target.fields;
    const fingerprint = queryFingerprint(args.query, fields);
    const start =
      args.cursor === null ? null : decodeCursor(args.cursor, fingerprint);
    const endCursor = args.endCursor ?? this.#previousJournal;
    const end =
      endCursor === null ? null : decodeCursor(endCursor, fingerprint);

    const page: Document[] = [];
    const keys: Buffer[] = [];
    let last: Buffer | undefined =
      start?.kind === 'after' ? start.key : undefined;
    let done = start?.kind === 'end';
    let splitRequired = false;
    if (!done) {
      const stream = this.#stream(args.query, target, {
        after: last,
        until: end?.kind === 'after' ? end.key : undefined,
      });
      const maxRows = args.maximumRowsRead ?? Number.POSITIVE_INFINITY;
      for (;;) {
        if (end === null && page.length >= args.pageSize) break;
        if (stream.rowsRead >= maxRows) {
          splitRequired = true;
          break;
        }
        const next = await stream.next();
        if (!next) {
          done = true;
          break;
        }
        page.push(next.document);
        keys.push(next.key);
        last = next.key;
      }
    }
    const position: CursorPosition =
      end !== null
        ? end
        : done
          ? { kind: 'end' }
          : { kind: 'after', key: last ?? Buffer.alloc(0) };
    const continueCursor = encodeCursor(position, fingerprint);
    this.journal = continueCursor;
    const pageStatus = splitRequired
      ? 'SplitRequired'
      : page.length > SPLIT_RECOMMENDED_ROWS
        ? 'SplitRecommended'
        : null;
    // Where a client splitting this page into two starts the second half.
    const middle = keys[Math.floor(keys.length / 2) - 1];
    return {
      page: page.map((document) => convexToJson(document as Value)),
      isDone: position.kind === 'end',
      continueCursor,
      splitCursor:
        pageStatus && middle
          ? encodeCursor({ kind: 'after', key: middle }, fingerprint)
          : null,
      pageStatus,
    };
  }

  /**
   * A document by id: through `db.system.get` only system tables, through
   * `db.get` only user tables (Convex's system table guard); ids of tables
   * that do not exist read as null.
   */
  async #get(
    id: string,
    table: string | undefined,
    isSystem: boolean,
  ): Promise<Document | null> {
    const decoded = this.#decodedId(id, table);
    const system = isSystemTableNumber(decoded.tableNumber);
    if (system && !isSystem)
      throw new Error(
        `System tables can only be accessed with db.system.get, not db.get ("${id}").`,
      );
    if (!system && isSystem)
      throw new Error(
        `User tables can only be accessed with db.get, not db.system.get ("${id}").`,
      );
    if (system && !READABLE_SYSTEM_TABLES.has(decoded.tableNumber)) return null;
    return this.#tx.get(id);
  }

  /** The id a write names, which must be a user document's (of `table`, when given). */
  #writableId(args: SyscallArgs): string {
    const id = args['id'] as string;
    const decoded = this.#decodedId(id, args['table'] as string | undefined);
    if (isSystemTableNumber(decoded.tableNumber))
      throw new Error(`System tables are read-only ("${id}").`);
    return id;
  }

  /** Decodes a document id, checking it is one of `table` when given. */
  #decodedId(id: string, table: string | undefined): { tableNumber: number } {
    const decoded = decodeDocumentId(id);
    if (!decoded)
      throw new Error(
        `Invalid argument \`id\`: "${id}" is not a valid document ID.`,
      );
    if (
      table !== undefined &&
      this.#tx.tableNumber(table) !== decoded.tableNumber
    ) {
      throw new Error(
        `Invalid argument \`id\`: "${id}" is not an ID of table "${table}".`,
      );
    }
    return decoded;
  }

  /** The number of documents in a table (count-documents.ts). */
  async #count(table: string): Promise<number> {
    this.#assertReadable(table);
    return countDocuments(this.#tx, table);
  }

  /** System tables other than the two Convex shows read as errors, as private ones do on Convex. */
  #assertReadable(table: string): void {
    const number = SYSTEM_TABLES.get(table);
    if (number !== undefined && !READABLE_SYSTEM_TABLES.has(number))
      throw new Error(`Table "${table}" is a private system table.`);
  }

  /** `_id` and `_creationTime` may appear in a write only with their current values. */
  async #checkedSystemFields<T extends Record<string, unknown>>(
    id: string,
    fields: T,
  ): Promise<T> {
    if (!('_id' in fields) && !('_creationTime' in fields)) return fields;
    const current = await this.#tx.get(id);
    if (!current) throw new Error(`Document ${id} does not exist.`);
    for (const field of ['_id', '_creationTime'] as const) {
      if (
        field in fields &&
        fields[field] !== undefined &&
        fields[field] !== current[field]
      ) {
        throw new Error(
          `Provided ${field} field does not match the existing document's ${field}.`,
        );
      }
    }
    return fields;
  }

  #normalizeId(table: string, idString: string): string | null {
    const decoded = decodeDocumentId(idString);
    const number = this.#tx.tableNumber(table);
    return decoded && number !== null && decoded.tableNumber === number
      ? idString
      : null;
  }

  #assertMutation(what: string): void {
    if (this.#kind !== 'mutation')
      throw new Error(`Cannot ${what} a document in a ${this.#kind}.`);
  }
}

function documentJson(document: Document | null): JSONValue {
  return document && convexToJson(document);
}

function isSystemTableNumber(tableNumber: number): boolean {
  return tableNumber < FIRST_USER_TABLE_NUMBER;
}

/** A patch as `patchValueToJson` writes it: `{"$undefined": null}` removes a field. */
function patchFromJson(json: JSONValue): DocumentPatch {
  const patch: DocumentPatch = {};
  for (const [field, value] of Object.entries(
    json as Record<string, JSONValue>,
  )) {
    const removes =
      value !== null &&
      typeof value === 'object' &&
      !Array.isArray(value) &&
      '$undefined' in value;
    patch[field] = removes ? undefined : jsonToConvex(value);
  }
  return patch;
}
