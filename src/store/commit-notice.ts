/**
 * The payload of the `NOTIFY` each commit on a shared PostgreSQL store
 * sends: the commit's timestamp, the one before it, and its write set as
 * the log keeps it, so that a process that has heard everything up to the
 * commit before can pass this one on without reading the log. A commit
 * whose write set does not fit sends its timestamp alone, and is read from
 * the log like any commit a notification did not describe.
 */
import { deserializeWrites } from './commit-plan.ts';
import type { CommitEntry, Timestamp } from './store.ts';

/**
 * PostgreSQL refuses payloads of 8000 bytes or more; the margin keeps the
 * two timestamps and separators inside it whatever their length.
 */
const MAX_WRITES_BYTES = 7900;

export interface CommitNotice {
  ts: Timestamp;
  /** What the commit was, with the commit before it, when it fitted. */
  commit: { previous: Timestamp; entry: CommitEntry } | null;
}

/** `writes`: the write set serialized as the commit log stores it. */
export function commitNotice(
  ts: Timestamp,
  previous: Timestamp,
  writes: string,
): string {
  return Buffer.byteLength(writes) <= MAX_WRITES_BYTES
    ? `${ts} ${previous} ${writes}`
    : String(ts);
}

/** The notice in a payload, or null when it is not one. */
export function readCommitNotice(payload: string): CommitNotice | null {
  const [ts, previous] = payload.split(' ', 2);
  if (ts === undefined || !/^\d+$/.test(ts)) return null;
  if (previous === undefined) return { ts: BigInt(ts), commit: null };
  if (!/^\d+$/.test(previous)) return null;
  const writes = payload.slice(ts.length + previous.length + 2);
  return {
    ts: BigInt(ts),
    commit: {
      previous: BigInt(previous),
      entry: { ts: BigInt(ts), writes: deserializeWrites(writes) },
    },
  };
}
