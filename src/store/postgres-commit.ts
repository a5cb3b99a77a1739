/**
 * The statements of a commit on PostgreSQL, taken while the committer holds
 * the commit lock (postgres.ts). Every round trip made under the lock is
 * time no other process can commit in, so a commit makes three: what was
 * committed since its snapshot (with the latest timestamp and the stored
 * catalog version), the documents it replaces, and one statement that
 * appends everything (document versions, index entries, mutation records,
 * the log row and its notification). The lock itself is taken in the
 * statement that begins the transaction.
 *
 * It knows the store's tables and the encoded form of a commit, not when
 * to commit or what a conflict means.
 */
import type pg from 'pg';
import type { IndexInfo } from './catalog.ts';
import { deserializeWrites, documentWrite } from './commit-plan.ts';
import { documentFromText, documentToText } from './document-json.ts';
import type { PendingWrite } from './engine.ts';
import type { CommitEntry, Timestamp } from './store.ts';
import type { DocumentWrite } from './write-set.ts';

export interface SinceSnapshot {
  /** The commits after the snapshot, oldest first. */
  after: CommitEntry[];
  /** The latest commit in the database. */
  latest: Timestamp;
  catalogVersion: bigint;
}

/** What was committed after `snapshotTs`, read under the commit lock in one statement. */
export async function readSinceSnapshot(
  client: pg.PoolClient,
  schema: string,
  snapshotTs: Timestamp,
): Promise<SinceSnapshot> {
  const { rows } = await client.query<{
    version: string;
    latest: string;
    ts: string | null;
    writes: string | null;
  }>(
    `SELECT m.version, m.latest, c.ts, c.writes
     FROM (SELECT COALESCE((SELECT value FROM ${schema}.meta WHERE key = 'catalog'), 0) AS version,
                  COALESCE((SELECT MAX(ts) FROM ${schema}.commits), 0) AS latest) m
     LEFT JOIN LATERAL (SELECT ts, writes FROM ${schema}.commits WHERE ts > $1) c ON true
     ORDER BY c.ts`,
    [snapshotTs],
  );
  const first = rows[0];
  return {
    after: rows.flatMap((row) =>
      row.ts === null || row.writes === null
        ? []
        : [{ ts: BigInt(row.ts), writes: deserializeWrites(row.writes) }],
    ),
    latest: BigInt(first?.latest ?? 0),
    catalogVersion: BigInt(first?.version ?? 0),
  };
}

/** The rows a commit appends, in the column arrays the append statement unnests. */
export interface CommitRows {
  documents: {
    id: string[];
    ts: bigint[];
    table: number[];
    value: (string | null)[];
  };
  entries: {
    index: number[];
    key: Buffer[];
    ts: bigint[];
    id: (string | null)[];
  };
  /** The commit log's write set. */
  writes: DocumentWrite[];
}

/**
 * The rows of `pending` written at `ts`: each document's new version, and
 * the index entries that change, given each table's indexes. Reads the
 * versions they replace (one statement) for the old keys.
 */
export async function commitRows(
  client: pg.PoolClient,
  schema: string,
  pending: readonly PendingWrite[],
  ts: Timestamp,
  indexesOf: (tableNumber: number) => readonly IndexInfo[],
): Promise<CommitRows> {
  const rows: CommitRows = {
    documents: { id: [], ts: [], table: [], value: [] },
    entries: { index: [], key: [], ts: [], id: [] },
    writes: [],
  };
  if (pending.length === 0) return rows;
  const replaced = await client.query<{ id: string; value: string | null }>(
    `SELECT DISTINCT ON (id) id, value FROM ${schema}.documents WHERE id = ANY($1) ORDER BY id, ts DESC`,
    [pending.map((w) => w.id)],
  );
  const before = new Map(replaced.rows.map((row) => [row.id, row.value]));
  const { documents, entries } = rows;
  for (const write of pending) {
    const old = before.get(write.id);
    const entry = documentWrite(
      write,
      old ? documentFromText(old) : null,
      indexesOf(write.table.number),
    );
    rows.writes.push(entry);
    documents.id.push(write.id);
    documents.ts.push(ts);
    documents.table.push(write.table.number);
    documents.value.push(write.document && documentToText(write.document));
    for (const key of entry.keys) {
      if (key.old && key.new && key.old.equals(key.new)) continue;
      for (const [k, id] of [
        [key.old, null],
        [key.new, write.id],
      ] as const) {
        if (!k) continue;
        entries.index.push(key.indexId);
        entries.key.push(k);
        entries.ts.push(ts);
        entries.id.push(id);
      }
    }
  }
  return rows;
}

export interface Append {
  ts: Timestamp;
  rows: CommitRows;
  /** The log's form of the write set (the rows' writes, with any table creations first). */
  serializedWrites: string;
  mutations: readonly {
    sessionId: string;
    requestId: number;
    result: string;
  }[];
  channel: string;
  notice: string;
}

/**
 * Appends a commit in one statement; resolves with how many of its
 * mutations it recorded. Fewer than it has means one was recorded already
 * (the same mutation committed meanwhile): the caller rolls back.
 */
export async function appendCommit(
  client: pg.PoolClient,
  schema: string,
  append: Append,
): Promise<number> {
  const { documents: d, entries: e } = append.rows;
  const m = append.mutations;
  const { rows } = await client.query<{ recorded: number }>(
    `WITH d AS (
       INSERT INTO ${schema}.documents (id, ts, table_number, value)
       SELECT * FROM unnest($1::text[], $2::bigint[], $3::int[], $4::text[])),
     e AS (
       INSERT INTO ${schema}.index_entries (index_id, key, ts, document_id)
       SELECT * FROM unnest($5::bigint[], $6::bytea[], $7::bigint[], $8::text[])),
     r AS (
       INSERT INTO ${schema}.session_requests (session_id, request_id, result, ts)
       SELECT s, q, r, $12 FROM unnest($9::text[], $10::bigint[], $11::text[]) AS t(s, q, r)
       ON CONFLICT DO NOTHING RETURNING 1),
     c AS (INSERT INTO ${schema}.commits (ts, writes) VALUES ($12, $13))
     SELECT (SELECT count(*) FROM r)::int AS recorded, pg_notify($14, $15)`,
    [
      d.id,
      d.ts,
      d.table,
      d.value,
      e.index,
      e.key,
      e.ts,
      e.id,
      m.map((x) => x.sessionId),
      m.map((x) => x.requestId),
      m.map((x) => x.result),
      append.ts,
      append.serializedWrites,
      append.channel,
      append.notice,
    ],
  );
  return rows[0]?.recorded ?? 0;
}
