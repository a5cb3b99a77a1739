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

/** A commit timestamp: now, or just after `latest` if the clock has not moved past it. */
export function nextCommitTs(latest: bigint): bigint {
  const now = nowNanoseconds();
  return now > latest ? now : latest + 1n;
}

/**
 * The same clock in milliseconds, for `_creationTime`: a transaction's first
 * creation time is max(snapshot, this), so reading both from one clock makes
 * creation times increase across transactions too.
 */
export function nowMilliseconds(): number {
  return Number(nowNanoseconds()) / 1_000_000;
}
