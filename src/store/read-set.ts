/**
 * ReadSet: what a transaction read, as byte intervals of index keys per
 * index. One read set serves two purposes (DESIGN.md decision 8): at commit
 * it is checked against the writes committed since the snapshot (a conflict
 * when any old or new key of a written document falls in an interval), and
 * for a query it tells which later commits invalidate its result.
 *
 * Pure: no I/O. Intervals are kept as added; `overlaps` is linear in them.
 */
import { type KeyInterval, contains, isEmpty } from './key-range.ts';
import type { DocumentWrite } from './write-set.ts';

export interface Overlap {
  write: DocumentWrite;
  indexId: number;
}

export class ReadSet {
  readonly #intervals = new Map<number, KeyInterval[]>();

  add(indexId: number, interval: KeyInterval): void {
    if (isEmpty(interval)) return;
    const list = this.#intervals.get(indexId);
    if (list) list.push(interval);
    else this.#intervals.set(indexId, [interval]);
  }

  /** How many intervals were recorded (Convex limits index ranges per transaction). */
  get size(): number {
    let n = 0;
    for (const list of this.#intervals.values()) n += list.length;
    return n;
  }

  /** The indexes read, so a subscriber can be found by the indexes a commit wrote. */
  indexIds(): Iterable<number> {
    return this.#intervals.keys();
  }

  intervals(indexId: number): readonly KeyInterval[] {
    return this.#intervals.get(indexId) ?? [];
  }

  /** The first write whose old or new key lies in what was read, or null. */
  overlaps(writes: readonly DocumentWrite[]): Overlap | null {
    for (const write of writes) {
      for (const { indexId, old, new: next } of write.keys) {
        const list = this.#intervals.get(indexId);
        if (!list) continue;
        for (const interval of list) {
          if (
            (old && contains(interval, old)) ||
            (next && contains(interval, next))
          ) {
            return { write, indexId };
          }
        }
      }
    }
    return null;
  }
}
