/**
 * StoreEngine: the narrow interface an engine (SQLite, PostgreSQL) offers to
 * the engine-independent transaction logic of transaction.ts. An engine
 * stores versions and index entries, reads them at a snapshot, and commits
 * atomically; it does not know what a patch or an overlay of pending writes
 * is.
 */
import type { Catalog, TableInfo } from './catalog.ts';
import type { KeyInterval } from './key-range.ts';
import type { ReadSet } from './read-set.ts';
import type { CommitResult, Document, Timestamp } from './store.ts';

export interface IndexEntry {
  key: Buffer;
  document: Document;
}

/** A transaction's effect on one document: its new state, or null when deleted. */
export interface PendingWrite {
  id: string;
  table: TableInfo;
  document: Document | null;
  /** Inserted by this transaction: no committed version of it precedes this one. */
  created: boolean;
}

export interface CommitRequest {
  snapshotTs: Timestamp;
  readSet: ReadSet;
  writes: PendingWrite[];
  /** Tables this transaction creates (with the numbers it reserved). */
  newTables: TableInfo[];
  mutations: { sessionId: string; requestId: number; result: string }[];
  /** The catalog's epoch when the transaction began: a renumbering since refuses the commit. */
  catalogEpoch: number;
}

export interface StoreEngine {
  readonly catalog: Catalog;
  latestTs(): Promise<Timestamp>;
  /** The document's latest version at or before `ts`, or null when absent or deleted. */
  readDocument(id: string, ts: Timestamp): Promise<Document | null>;
  /** Live entries of an index at `ts` within `interval`, in key order, at most `limit`. */
  scanIndex(
    indexId: number,
    interval: KeyInterval,
    options: { order: 'asc' | 'desc'; limit: number; ts: Timestamp },
  ): Promise<IndexEntry[]>;
  /**
   * A table number no other transaction of this store will use for another
   * name: `wanted` if given and free, else it throws.
   */
  reserveTableNumber(name: string, wanted?: number): number;
  commit(request: CommitRequest): Promise<CommitResult>;
}
