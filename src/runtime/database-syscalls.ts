/**
 * The database half of the syscall ABI for queries and mutations
 * (convex-runtime.md §2.2, §2.3): each op takes and returns JSON text, as
 * `convex/server` sends it, and works on one store transaction.
 *
 * Synchronous ops answer from what the transaction already knows (the
 * catalog); asynchronous ones run one at a time in the order they were
 * called, as Convex runs them, so `Promise.all([insert, get])` always sees
 * the same thing. Unknown ops fail with Convex's exact texts, which
 * `convex/server` itself looks for.
 */
import {
  type JSONValue,
  type Value,
  convexToJson,
  jsonToConvex,
} from 'convex/values';
import { decodeDocumentId } from '../store/document-id.ts';
import type { Document, DocumentPatch, Transaction } from '../store/store.ts';
import type { FunctionKind } from './execution.ts';
import {
  type CursorPosition,
  decodeCursor,
  encodeCursor,
  queryFingerprint,
} from './page-cursor.ts';
import { QueryStream } from './query-stream.ts';
import {
  type CompiledQuery,
  type SerializedQuery,
  compileQuery,
  queryTarget,
} from './serialized-query.ts';

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

export interface DatabaseSyscallOptions {
  kind: FunctionKind;
  /** The journal of the previous run of this query: the pinned end of its page. */
  journal?: string | null;
  /** The identity `ctx.auth.getUserIdentity()` returns, as JSON; null when signed out. */
  identity: Record<string, JSONValue> | null;
}

export class DatabaseSyscalls {
  readonly #tx: Transaction;
  readonly #options: DatabaseSyscallOptions;
  readonly #streams = new Map<number, QueryStream>();
  #nextQueryId = 0;
  /** Set by the one `paginate` a function may run: the end of its page, for the next run. */
  journal: string | null = null;
  #paginated = false;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(tx: Transaction, options: DatabaseSyscallOptions) {
    this.#tx = tx;
    this.#options = options;
  }

  syscall(op: string, argsJson: string): string {
    const args = JSON.parse(argsJson) as Record<string, JSONValue>;
    switch (op) {
      case '1.0/queryStream':
        return JSON.stringify({
          queryId: this.#openQuery(args['query'] as unknown as SerializedQuery),
        });
      case '1.0/queryCleanup':
        return JSON.stringify(this.#streams.delete(args['queryId'] as number));
      case '1.0/db/normalizeId':
        return JSON.stringify({
          id: this.#normalizeId(
            args['table'] as string,
            args['idString'] as string,
          ),
        });
      case '1.0/getSnapshotTs':
        return JSON.stringify(
          convexToJson(BigInt.asIntN(64, this.#tx.snapshotTs)),
        );
      default:
        throw new Error(`Unknown operation ${op}`);
    }
  }

  asyncSyscall(op: string, argsJson: string): Promise<string> {
    const run = this.#queue.then(() =>
      this.#async(op, JSON.parse(argsJson) as Record<string, JSONValue>),
    );
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #async(op: string, args: Record<string, JSONValue>): Promise<string> {
    switch (op) {
      case '1.0/get':
        return documentJson(
          await this.#get(
            args['id'] as string,
            args['table'] as string | undefined,
          ),
        );
      case '1.0/queryStreamNext': {
        const queryId = args['queryId'] as number;
        const stream = this.#streams.get(queryId);
        if (!stream) throw new Error(`Query ${queryId} is not open.`);
        const next = await stream.next();
        if (!next) this.#streams.delete(queryId);
        return JSON.stringify({
          value: next && convexToJson(next.document),
          done: !next,
        });
      }
      case '1.0/insert': {
        this.#assertMutation('insert');
        const table = args['table'] as string;
        if (table.startsWith('_'))
          throw new Error(`Cannot insert into system table ${table}.`);
        const fields = jsonToConvex(args['value'] ?? {}) as Record<
          string,
          Value
        >;
        return JSON.stringify({ _id: await this.#tx.insert(table, fields) });
      }
      case '1.0/shallowMerge': {
        this.#assertMutation('patch');
        const id = await this.#ownId(
          args['id'] as string,
          args['table'] as string | undefined,
        );
        await this.#tx.patch(
          id,
          await this.#checkedSystemFields(
            id,
            patchFromJson(args['value'] ?? {}),
          ),
        );
        return documentJson(await this.#tx.get(id));
      }
      case '1.0/replace': {
        this.#assertMutation('replace');
        const id = await this.#ownId(
          args['id'] as string,
          args['table'] as string | undefined,
        );
        const fields = jsonToConvex(args['value'] ?? {}) as Record<
          string,
          Value
        >;
        const {
          _id: _ignoredId,
          _creationTime: _ignoredTime,
          ...rest
        } = await this.#checkedSystemFields(id, fields);
        await this.#tx.replace(id, rest);
        return documentJson(await this.#tx.get(id));
      }
      case '1.0/remove': {
        this.#assertMutation('delete');
        const id = await this.#ownId(
          args['id'] as string,
          args['table'] as string | undefined,
        );
        const before = await this.#tx.get(id);
        await this.#tx.delete(id);
        return documentJson(before);
      }
      case '1.0/queryPage':
        return JSON.stringify(await this.#page(args as unknown as PageArgs));
      case '1.0/getUserIdentity':
        return JSON.stringify(this.#options.identity);
      default:
        throw new Error(`Unknown async operation ${op}`);
    }
  }

  #openQuery(query: SerializedQuery): number {
    const queryId = this.#nextQueryId++;
    this.#streams.set(queryId, new QueryStream(this.#tx, this.#compile(query)));
    return queryId;
  }

  /** The compiled query; a missing table reads as empty (and records that it was missing). */
  #compile(query: SerializedQuery): CompiledQuery {
    const { table, index } = queryTarget(query);
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
    const compiled = this.#compile(args.query);
    const fingerprint = queryFingerprint(args.query, compiled.fields);
    const start =
      args.cursor === null ? null : decodeCursor(args.cursor, fingerprint);
    const endCursor = args.endCursor ?? this.#options.journal ?? null;
    const end =
      endCursor === null ? null : decodeCursor(endCursor, fingerprint);

    const page: Document[] = [];
    let last: Buffer | undefined =
      start?.kind === 'after' ? start.key : undefined;
    let done = start?.kind === 'end';
    let splitRequired = false;
    if (!done) {
      const stream = new QueryStream(this.#tx, compiled, {
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
    return {
      page: page.map((document) => convexToJson(document as Value)),
      isDone: position.kind === 'end',
      continueCursor,
      splitCursor: null,
      pageStatus: splitRequired
        ? 'SplitRequired'
        : page.length > SPLIT_RECOMMENDED_ROWS
          ? 'SplitRecommended'
          : null,
    };
  }

  async #get(id: string, table: string | undefined): Promise<Document | null> {
    if (table !== undefined) await this.#ownId(id, table);
    return this.#tx.get(id);
  }

  /** Checks that `id` is a document id (of `table`, when given) and returns it. */
  async #ownId(id: string, table: string | undefined): Promise<string> {
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
    return id;
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
    if (this.#options.kind !== 'mutation')
      throw new Error(`Cannot ${what} a document in a ${this.#options.kind}.`);
  }
}

function documentJson(document: Document | null): string {
  return JSON.stringify(document && convexToJson(document));
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
