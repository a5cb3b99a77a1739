/**
 * The engine-independent steps of a commit, run by each engine inside its
 * critical section: find a conflict between a transaction's read set and the
 * commits after its snapshot, and turn pending writes into the write set the
 * commit log carries (old and new key in every index of the table).
 */
import {
  type Catalog,
  type IndexInfo,
  TABLES_INDEX_ID,
  documentIndexKey,
  tableNameKey,
} from './catalog.ts';
import type { PendingWrite } from './engine.ts';
import type { ReadSet } from './read-set.ts';
import type { Conflict, Document, Timestamp } from './store.ts';
import type { CommitEntry, DocumentWrite } from './write-set.ts';

/** The first commit after the snapshot that wrote into what `readSet` read, or null. */
export function findConflict(
  readSet: ReadSet,
  commits: readonly CommitEntry[],
  catalog: Catalog,
): Conflict | null {
  for (const commit of commits) {
    const overlap = readSet.overlaps(commit.writes);
    if (!overlap) continue;
    const { write, indexId } = overlap;
    const index =
      indexId === TABLES_INDEX_ID
        ? '_tables'
        : (catalog.indexById(indexId)?.name ?? String(indexId));
    return { ts: commit.ts, table: write.table, id: write.id, index };
  }
  return null;
}

/**
 * The conflict of a transaction that records a mutation result already
 * recorded (the same mutation committed meanwhile): a retry then finds the
 * record and replays it instead of running again.
 */
export function sessionRequestConflict(
  sessionId: string,
  requestId: number,
  ts: Timestamp,
): Conflict {
  return {
    ts,
    table: '_session_requests',
    id: `${sessionId}/${requestId}`,
    index: 'by_request',
  };
}

/**
 * The conflict of a transaction begun before tables were renumbered
 * (`DocumentStore.renumberTables`): what it wrote or read may be under a
 * table's old number, so it runs again under the new ones.
 */
export function renumberedConflict(ts: Timestamp): Conflict {
  return { ts, table: '_tables', id: '', index: '_tables' };
}

/** The write set entry of one document, given its state before the commit. */
export function documentWrite(
  write: PendingWrite,
  before: Document | null,
  indexes: readonly IndexInfo[],
): DocumentWrite {
  return {
    id: write.id,
    table: write.table.name,
    keys: indexes.map((index) => ({
      indexId: index.id,
      old: before && documentIndexKey(index, before),
      new: write.document && documentIndexKey(index, write.document),
    })),
  };
}

/** The write set entry that records a table's creation in the catalog index. */
export function tableCreation(name: string): DocumentWrite {
  return {
    id: '',
    table: name,
    keys: [{ indexId: TABLES_INDEX_ID, old: null, new: tableNameKey(name) }],
  };
}

/**
 * The write set entry that records a change to a table's entry in the
 * catalog (its indexes, its number): transactions that looked the table up
 * conflict with it, and other processes sharing the store read their
 * catalog again when they hear it.
 */
export function catalogChange(name: string): DocumentWrite {
  const key = tableNameKey(name);
  return {
    id: '',
    table: name,
    keys: [{ indexId: TABLES_INDEX_ID, old: key, new: key }],
  };
}

/** The commit log's JSON form of a write set (keys as base64). */
export function serializeWrites(writes: readonly DocumentWrite[]): string {
  return JSON.stringify(
    writes.map((w) => ({
      id: w.id,
      table: w.table,
      keys: w.keys.map((k) => [
        k.indexId,
        k.old?.toString('base64') ?? null,
        k.new?.toString('base64') ?? null,
      ]),
    })),
  );
}

export function deserializeWrites(text: string): DocumentWrite[] {
  const raw = JSON.parse(text) as {
    id: string;
    table: string;
    keys: [number, string | null, string | null][];
  }[];
  return raw.map((w) => ({
    id: w.id,
    table: w.table,
    keys: w.keys.map(([indexId, old, next]) => ({
      indexId,
      old: old === null ? null : Buffer.from(old, 'base64'),
      new: next === null ? null : Buffer.from(next, 'base64'),
    })),
  }));
}
