/**
 * The number of documents in a table, read in the transaction through its
 * `by_id` index: the whole range goes into the read set, so a query that
 * counts reruns when a document is added or removed (`ctx.db.count`, the
 * CLI's `data` and `tableSize`). Convex keeps counts aside; here they cost a
 * scan.
 */
import type { Transaction } from '../store/store.ts';

/** Rows per scan: big batches, few round trips, bounded memory. */
const COUNT_BATCH = 1024;

export async function countDocuments(
  tx: Transaction,
  table: string,
): Promise<number> {
  if (tx.tableNumber(table) === null) return 0;
  let count = 0;
  let after: Buffer | undefined;
  for (;;) {
    const { documents, lastKey, exhausted } = await tx.scan({
      table,
      index: 'by_id',
      eq: [],
      order: 'asc',
      limit: COUNT_BATCH,
      after,
    });
    count += documents.length;
    if (exhausted || lastKey === undefined) return count;
    after = lastKey;
  }
}
