/**
 * The store contract: everything the runtime may see of the document store.
 *
 * A transaction reads one committed snapshot (`snapshotTs`), sees its own
 * writes, records every index interval it scanned into its read set, and
 * buffers its writes until `commit`. Commit validates the read set against
 * every commit after the snapshot (optimistic concurrency control) and either
 * applies all the writes at a new, strictly greater timestamp or reports the
 * conflict; it never merges. The same read set later tells the sync layer
 * which subscriptions a commit invalidates, through the commit log.
 *
 * The contract is asynchronous so that SQLite (sqlite.ts) and PostgreSQL
 * implement it alike and pass one test suite (store.contract.ts).
 */
import type { Timestamp } from '../protocol/timestamp.ts';
import type { IndexValue } from './index-key.ts';
import type { ReadSet } from './read-set.ts';
import type { CommitEntry, DocumentWrite } from './write-set.ts';
import type { Value } from 'convex/values';

export type { CommitEntry, DocumentWrite, Timestamp };

/** Told of a commit; `own` when this process made it. */
export type CommitListener = (entry: CommitEntry, own: boolean) => void;

/** A stored document: user fields plus `_id` and `_creationTime`. */
export type Document = { _id: string; _creationTime: number } & Record<
  string,
  Value
>;

/** Fields of a new document, or of a replacement: no system fields. */
export type DocumentFields = Record<string, Value>;

/** A shallow patch: a field set to `undefined` is removed. */
export type DocumentPatch = Record<string, Value | undefined>;

export interface RangeBound {
  value: IndexValue;
  inclusive: boolean;
}

/**
 * A range of one index: equality on its first fields, then at most one
 * lower and one upper bound on the next field (Convex's `withIndex` rules).
 */
export interface IndexRange {
  table: string;
  index: string;
  eq: readonly IndexValue[];
  lower?: RangeBound;
  upper?: RangeBound;
  order: 'asc' | 'desc';
  /** At most this many documents; the interval read stops at the last one. */
  limit: number;
  /** Resume after this key of the same range (a previous page's `lastKey`). */
  after?: Uint8Array | undefined;
}

export interface ScanResult {
  documents: Document[];
  /** The index key of the last document returned: the cursor of the next page. */
  lastKey: Buffer | undefined;
  /** True when the range has no more documents after these. */
  exhausted: boolean;
}

export interface Conflict {
  /** The commit that wrote into what this transaction read. */
  ts: Timestamp;
  table: string;
  id: string;
  index: string;
}

export type CommitResult =
  | { success: true; ts: Timestamp; writes: DocumentWrite[] }
  | { success: false; conflict: Conflict };

/** A successful mutation's outcome, kept for exactly-once replay. */
export interface MutationRecord {
  sessionId: string;
  requestId: number;
  /** The result in Convex JSON, as it was sent. */
  result: string;
  ts: Timestamp;
}

/** What a query compiler needs to know of an index, synchronously. */
export interface IndexDescription {
  /** The full key: declared fields, then `_creationTime` and `_id`. */
  fields: readonly string[];
  /** False while it is being backfilled: it serves no query. */
  ready: boolean;
}

export interface Transaction {
  readonly snapshotTs: Timestamp;
  readonly readSet: ReadSet;
  /** The number of a table this transaction can see, or null. Synchronous. */
  tableNumber(table: string): number | null;
  /**
   * The names of the tables this transaction can see, system tables
   * included. The whole catalog is read: a table created later conflicts
   * with (and invalidates) this read.
   */
  tableNames(): string[];
  /** An index of a table this transaction can see, or null. Synchronous. */
  describeIndex(table: string, index: string): IndexDescription | null;
  get(id: string): Promise<Document | null>;
  scan(range: IndexRange): Promise<ScanResult>;
  insert(table: string, fields: DocumentFields): Promise<string>;
  /**
   * Inserts a document that keeps its own `_id` and `_creationTime`, as a
   * snapshot import restores it. The id must be of this table's number; a
   * missing table is created with that number. Throws when the id is
   * taken, of another table, or its number is another table's.
   */
  insertWithId(table: string, document: Document): Promise<void>;
  patch(id: string, patch: DocumentPatch): Promise<void>;
  replace(id: string, fields: DocumentFields): Promise<void>;
  delete(id: string): Promise<void>;
  /**
   * Marks the writes so far. Rolling back to the mark undoes every write made
   * since (a nested call that failed), while its reads stay in the read set:
   * what it saw still decided what the caller did.
   */
  savepoint(): Savepoint;
  /** What this transaction has read and written so far, against Convex's limits. */
  usage(): UsageFigures;
  /** Records a mutation result to commit in this transaction, keyed by session and request. */
  recordMutation(sessionId: string, requestId: number, result: string): void;
  commit(): Promise<CommitResult>;
}

/** What a transaction has used so far, for `ctx.meta.getTransactionMetrics()`. */
export interface UsageFigures {
  documentsRead: number;
  bytesRead: number;
  indexRanges: number;
  documentsWritten: number;
  bytesWritten: number;
}

export interface Savepoint {
  rollback(): void;
}

export interface TableNumbering {
  name: string;
  number: number;
}

export type RenumberResult =
  { success: true } | { success: false; error: string };

export interface IndexDefinition {
  name: string;
  fields: readonly string[];
}

export interface DocumentStore {
  /**
   * True when this process is the store's only writer and a transaction's
   * reads never wait on I/O (SQLite): transactions that run at the same time
   * then share no waiting, only conflicts, and writers run one at a time
   * (function-runner.ts). False when commits from elsewhere can interleave
   * and reads are round trips (PostgreSQL).
   */
  readonly soleWriter: boolean;
  /** The timestamp of the latest commit this process has heard of. */
  latestTs(): Promise<Timestamp>;
  /**
   * Hears every commit already made, by any process sharing the store, and
   * resolves with the latest timestamp then: for a client that observed a
   * commit through another process and now reads through this one.
   */
  catchUp(): Promise<Timestamp>;
  /** A transaction reading the snapshot at `ts` (default: the latest; never before the last prune). */
  begin(options?: { ts?: Timestamp }): Promise<Transaction>;
  /** Commits after `afterTs`, oldest first, at most `limit`. */
  readCommits(afterTs: Timestamp, limit: number): Promise<CommitEntry[]>;
  /**
   * Calls `listener` after every commit, with its commit log entry, once
   * each and in timestamp order: this process's commits (`own`) and, on a
   * store shared with other processes, theirs as this one hears of them.
   * Returns the unsubscribe.
   */
  onCommit(listener: CommitListener): () => void;
  /** The recorded outcome of a mutation, if it committed. */
  mutationRecord(
    sessionId: string,
    requestId: number,
  ): Promise<MutationRecord | null>;
  /**
   * Moves empty user tables to other numbers, with their indexes, so that a
   * snapshot import can restore ids of the numbers they had where they were
   * exported. Tables may swap numbers. A transaction begun before may not
   * commit, and no snapshot before can begin.
   */
  renumberTables(moves: readonly TableNumbering[]): Promise<RenumberResult>;
  /** Declares a table's schema indexes; new ones are backfilled before they serve. */
  defineIndexes(
    table: string,
    indexes: readonly IndexDefinition[],
  ): Promise<void>;
  /**
   * Forgets versions and commits that no snapshot at or after `cutoff` can
   * see; snapshots before `cutoff` can no longer begin.
   */
  prune(cutoff: Timestamp): Promise<void>;
  close(): Promise<void>;
}
