/**
 * The wall clock in epoch nanoseconds for commit timestamps: `Date.now()`
 * read once, then advanced by the monotonic high-resolution clock, so that
 * two commits in the same millisecond still get distinct, ordered times and
 * `_creationTime`s derived from them (max(snapshot, now)) increase across
 * transactions as on Convex.
 */
import { hrtime } from 'node:process';

const epochAtStart = BigInt(Date.now()) * 1_000_000n;
const monotonicAtStart = hrtime.bigint();

export function nowNanoseconds(): bigint {
  return epochAtStart + (hrtime.bigint() - monotonicAtStart);
}
