/**
 * QueryStream: one `db.query(...)` being iterated, document by document
 * (`1.0/queryStreamNext`, and the pages of `paginate`), over a store
 * transaction, each document with its position (its key in the index).
 *
 * It reads the index range in batches and applies the query's operators in
 * order (filters, then limits). A batch is exactly the limit when a limit
 * comes before any filter (so `first()` reads, and records in the read set,
 * one document); otherwise batches grow from 16 to 1024, so that what was
 * read beyond what the function consumed stays within a factor of two.
 * Filters do not narrow what counts as read, as on Convex.
 */
import { documentIndexKey } from '../store/catalog.ts';
import type { Document, Transaction } from '../store/store.ts';
import { OperatorPipeline } from './operator-pipeline.ts';
import type { CompiledQuery } from './serialized-query.ts';
import { compareKeys } from '../store/compare-keys.ts';

const FIRST_BATCH = 16;
const LARGEST_BATCH = 1024;

export interface Positioned {
  document: Document;
  key: Buffer;
}

export interface StreamBounds {
  /** Start after this position (a page cursor). */
  after?: Buffer | undefined;
  /** Stop after this position, inclusive (a page's pinned end). */
  until?: Buffer | undefined;
}

export class QueryStream {
  readonly #tx: Transaction;
  readonly #query: CompiledQuery;
  readonly #until: Buffer | undefined;
  readonly #pipeline: OperatorPipeline;
  #buffer: Positioned[] = [];
  #after: Buffer | undefined;
  #exhausted = false;
  #batch: number;
  /** Documents read from the index so far, whether or not they passed. */
  rowsRead = 0;

  constructor(
    tx: Transaction,
    query: CompiledQuery,
    bounds: StreamBounds = {},
  ) {
    this.#tx = tx;
    this.#query = query;
    this.#after = bounds.after;
    this.#until = bounds.until;
    this.#pipeline = new OperatorPipeline(query.operators);
    const first = query.operators[0];
    this.#batch =
      first && 'limit' in first ? Math.max(first.limit, 1) : FIRST_BATCH;
  }

  /** The next document the query yields, with its position, or null when it is done. */
  async next(): Promise<Positioned | null> {
    for (;;) {
      if (this.#pipeline.exhausted) return null;
      const candidate = this.#buffer.shift() ?? (await this.#fill());
      if (!candidate || this.#beyondEnd(candidate.key)) {
        this.#exhausted = true;
        this.#buffer = [];
        return null;
      }
      this.rowsRead += 1;
      if (this.#pipeline.admit(candidate.document)) return candidate;
    }
  }

  #beyondEnd(key: Buffer): boolean {
    if (!this.#until) return false;
    const direction = compareKeys(key, this.#until);
    return this.#query.order === 'asc' ? direction > 0 : direction < 0;
  }

  async #fill(): Promise<Positioned | undefined> {
    if (this.#exhausted) return undefined;
    const { table, index, eq, lower, upper, order, fields } = this.#query;
    const result = await this.#tx.scan({
      table,
      index,
      eq,
      ...(lower ? { lower } : {}),
      ...(upper ? { upper } : {}),
      order,
      limit: this.#batch,
      after: this.#after,
    });
    this.#after = result.lastKey ?? this.#after;
    this.#exhausted = result.exhausted || result.documents.length === 0;
    this.#batch = Math.min(this.#batch * 2, LARGEST_BATCH);
    this.#buffer = result.documents.map((document) => ({
      document,
      key: documentIndexKey({ fields }, document),
    }));
    return this.#buffer.shift();
  }
}
