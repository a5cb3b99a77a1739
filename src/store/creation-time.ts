/**
 * `_creationTime` as Convex assigns it: milliseconds since the epoch as a
 * float64, starting for each transaction at max(snapshot time, now) and moved
 * to the next representable float64 after every insert, so that creation
 * times are strictly increasing within a transaction (and, since snapshots
 * only move forward, in practice across transactions; ties between
 * transactions are broken by `_id`, the last field of every index).
 * (convex-runtime.md §4.2, from convex-backend `CreationTime::increment`.)
 */
import type { Timestamp } from '../protocol/timestamp.ts';

const NS_PER_MS = 1_000_000;

export class CreationTimeClock {
  #next: number;

  constructor(options: { snapshotTs: Timestamp; nowMs: number }) {
    this.#next = Math.max(
      Number(options.snapshotTs) / NS_PER_MS,
      options.nowMs,
    );
  }

  /** The creation time of the next insert. */
  take(): number {
    const time = this.#next;
    this.#next = nextUp(time);
    return time;
  }

  /** Moves past `time`, for writes merged in from elsewhere. */
  advancePast(time: number): void {
    if (time >= this.#next) this.#next = nextUp(time);
  }
}

/** The smallest float64 greater than the finite, non-negative `x`. */
export function nextUp(x: number): number {
  if (!Number.isFinite(x) || x < 0)
    throw new RangeError(`not a creation time: ${x}`);
  const bits = new DataView(new ArrayBuffer(8));
  bits.setFloat64(0, x);
  bits.setBigUint64(0, bits.getBigUint64(0) + 1n);
  return bits.getFloat64(0);
}
