/**
 * QueryStream: one `db.query(...)` being iterated, document by document
 * (`1.0/queryStreamNext`), over a store transaction.
 *
 * It reads the index range in batches and applies the query's operators in
 * order (filters, then limits). A batch is exactly the limit when a limit
 * comes before any filter (so `first()` reads, and records in the read set,
 * one document); otherwise batches grow from 16 to 1024, so that what was
 * read beyond what the function consumed stays within a factor of two.
 * Filters do not narrow what counts as read, as on Convex.
 */
import type { Document, Transaction } from '../store/store.ts';
import { passesFilter } from './filter-expression.ts';
import type { CompiledQuery } from './serialized-query.ts';

const FIRST_BATCH = 16;
const LARGEST_BATCH = 1024;

export class QueryStream {
  readonly #tx: Transaction;
  readonly #query: CompiledQuery;
  /** Per operator: how many documents each limit has let through so far. */
  readonly #passed: number[];
  #buffer: Document[] = [];
  #after: Buffer | undefined;
  #exhausted = false;
  #batch: number;

  constructor(tx: Transaction, query: CompiledQuery) {
    this.#tx = tx;
    this.#query = query;
    this.#passed = query.operators.map(() => 0);
    const first = query.operators[0];
    this.#batch =
      first && 'limit' in first ? Math.max(first.limit, 1) : FIRST_BATCH;
  }

  /** The next document the query yields, or null when it is done. */
  async next(): Promise<Document | null> {
    for (;;) {
      if (this.#limitReached()) return null;
      const candidate = this.#buffer.shift() ?? (await this.#fill());
      if (!candidate) return null;
      if (this.#admit(candidate)) return candidate;
    }
  }

  /** True when a limit operator has let through all it allows: nothing more can pass. */
  #limitReached(): boolean {
    return this.#query.operators.some(
      (op, i) => 'limit' in op && (this.#passed[i] ?? 0) >= op.limit,
    );
  }

  #admit(document: Document): boolean {
    for (const [i, op] of this.#query.operators.entries()) {
      if ('filter' in op) {
        if (!passesFilter(op.filter, document)) return false;
      } else {
        if ((this.#passed[i] ?? 0) >= op.limit) return false;
        this.#passed[i] = (this.#passed[i] ?? 0) + 1;
      }
    }
    return true;
  }

  async #fill(): Promise<Document | undefined> {
    if (this.#exhausted) return undefined;
    const { table, index, eq, lower, upper, order } = this.#query;
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
    this.#after = result.lastKey;
    this.#exhausted = result.exhausted || result.documents.length === 0;
    this.#batch = Math.min(this.#batch * 2, LARGEST_BATCH);
    this.#buffer = result.documents;
    return this.#buffer.shift();
  }
}
