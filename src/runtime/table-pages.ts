/**
 * tablePages: a table's documents read whole, a page per transaction, all
 * at one snapshot (the latest when none is given), so that a table of any
 * size is read within Convex's per-transaction read limits (store/
 * limits.ts): a page that breaks them is read again in halves, down to a
 * document at a time, which always fits. A table missing at the snapshot
 * has no pages.
 *
 * Each page comes with the transaction that read it, for what a reader
 * looks up beside the documents (a table's number, checking an id).
 */
import { LimitError } from '../store/limits.ts';
import type {
  Document,
  DocumentStore,
  Timestamp,
  Transaction,
} from '../store/store.ts';

export interface TablePage {
  documents: Document[];
  tx: Transaction;
}

export interface TablePagesOptions {
  /** The snapshot; the latest commit when absent. */
  ts?: Timestamp;
  /** The order: `by_creation_time` (the default) or `by_id`. */
  index?: 'by_creation_time' | 'by_id';
  /** Documents per page at most: 1,000 by default, as Convex's own table iterator reads them. */
  pageSize?: number;
}

const PAGE_SIZE = 1000;

export async function* tablePages(
  store: DocumentStore,
  table: string,
  options: TablePagesOptions = {},
): AsyncGenerator<TablePage> {
  const ts = options.ts ?? (await store.latestTs());
  let limit = options.pageSize ?? PAGE_SIZE;
  let after: Buffer | undefined;
  for (;;) {
    const tx = await store.begin({ ts });
    if (tx.tableNumber(table) === null) return;
    let page;
    try {
      page = await tx.scan({
        table,
        index: options.index ?? 'by_creation_time',
        eq: [],
        order: 'asc',
        limit,
        after,
      });
    } catch (error) {
      if (error instanceof LimitError && limit > 1) {
        limit = Math.ceil(limit / 2);
        continue;
      }
      throw error;
    }
    yield { documents: page.documents, tx };
    if (page.exhausted || !page.lastKey) return;
    after = page.lastKey;
  }
}
