/**
 * CommitTail: the most recent commits, in memory, for conflict checks. It
 * knows from which timestamp on it is complete (`from`: every commit after it
 * is held), so a transaction whose snapshot is older is sent to the commit log
 * on disk instead of getting a wrong answer.
 *
 * Eviction drops the older half at once, so a push costs O(1) amortised.
 */
import type { Timestamp } from '../protocol/timestamp.ts';
import type { CommitEntry } from './write-set.ts';

export class CommitTail {
  readonly #capacity: number;
  #entries: CommitEntry[] = [];
  /** Every commit with a timestamp above this one is in `#entries`. */
  #from: Timestamp;

  constructor(options: { from: Timestamp; capacity: number }) {
    this.#from = options.from;
    this.#capacity = options.capacity;
  }

  /** True when every commit after `ts` is held here. */
  covers(ts: Timestamp): boolean {
    return ts >= this.#from;
  }

  /** The commits after `ts`, oldest first; only meaningful when `covers(ts)`. */
  after(ts: Timestamp): CommitEntry[] {
    let low = 0;
    let high = this.#entries.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((this.#entries[middle]?.ts ?? 0n) > ts) high = middle;
      else low = middle + 1;
    }
    return this.#entries.slice(low);
  }

  push(entry: CommitEntry): void {
    this.#entries.push(entry);
    if (this.#entries.length > this.#capacity) {
      const dropped = this.#entries.length - Math.floor(this.#capacity / 2);
      this.#from = this.#entries[dropped - 1]?.ts ?? this.#from;
      this.#entries = this.#entries.slice(dropped);
    }
  }
}
