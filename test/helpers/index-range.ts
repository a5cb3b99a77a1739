/** An index range over a whole index (or what `extra` narrows), ascending, 100 at most: the store contract's scans. */
import type { IndexRange } from '../../src/store/store.ts';

export function range(
  table: string,
  index: string,
  extra: Partial<IndexRange> = {},
): IndexRange {
  return { table, index, eq: [], order: 'asc', limit: 100, ...extra };
}
