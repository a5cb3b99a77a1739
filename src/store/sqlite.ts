/**
 * The embedded store: SQLite through better-sqlite3, one process, one file.
 *
 * Every committed version of a document is a row of `documents (id, ts)`;
 * every change of a document's key in an index is a row of
 * `index_entries (index_id, key, ts)` whose `document_id` is null when the key
 * was vacated. A snapshot read at `ts` takes, per id or key, the latest row
 * at or before `ts`. Commits are serialized by the JavaScript thread: each
 * is checked against every commit after its snapshot and written in one
 * synchronous SQLite transaction when it is asked for, so nothing can
 * interleave. (Batching the commits of one event-loop turn saved nothing
 * once mutations took turns, `soleWriter`, and cost every one a turn.)
 *
 * Durability: WAL with `synchronous=NORMAL`. A commit is acknowledged once
 * it is in the WAL: a crash of the process loses nothing acknowledged; a
 * power loss or OS crash may lose the commits since the last checkpoint
 * (SQLite syncs the WAL at checkpoints, here every 64 MiB of WAL), never
 * corrupting the file. Pass `synchronous: 'full'` to sync every commit, at a
 * cost in commit rate.
 */
import Database from 'better-sqlite3';
import {
  type TableInfo,
  builtInIndexes,
  Catalog,
  documentIndexKey,
  indexDefinitionsError,
  indexId,
} from './catalog.ts';
import {
  deserializeWrites,
  documentWrite,
  findConflict,
  renumberedConflict,
  serializeWrites,
  sessionRequestConflict,
  tableCreation,
} from './commit-plan.ts';
import type { CommitRequest, IndexEntry, StoreEngine } from './engine.ts';
import type { KeyInterval } from './key-range.ts';
import type {
  CommitEntry,
  CommitListener,
  CommitResult,
  Document,
  DocumentStore,
  IndexDefinition,
  MutationRecord,
  RenumberResult,
  TableNumbering,
  Timestamp,
  Transaction,
} from './store.ts';
import { CommitListeners } from './commit-listeners.ts';
import { CommitTail } from './commit-tail.ts';
import { nextCommitTs, nowMilliseconds } from './clock.ts';
import { documentFromText, documentToText } from './document-json.ts';
import { StoreTransaction, checkSnapshot } from './transaction.ts';
import type { DocumentWrite } from './write-set.ts';

export interface SqliteStoreOptions {
  /** `normal` (default) survives process crashes; `full` also power loss, per commit. */
  synchronous?: 'normal' | 'full';
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS tables (number INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS indexes (
  id INTEGER PRIMARY KEY, table_number INTEGER NOT NULL, name TEXT NOT NULL,
  fields TEXT NOT NULL, ready INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
  id TEXT NOT NULL, ts INTEGER NOT NULL, table_number INTEGER NOT NULL, value TEXT,
  PRIMARY KEY (id, ts)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS index_entries (
  index_id INTEGER NOT NULL, key BLOB NOT NULL, ts INTEGER NOT NULL, document_id TEXT,
  PRIMARY KEY (index_id, key, ts)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS commits (ts INTEGER PRIMARY KEY, writes TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS session_requests (
  session_id TEXT NOT NULL, request_id INTEGER NOT NULL, result TEXT NOT NULL, ts INTEGER NOT NULL,
  PRIMARY KEY (session_id, request_id)) WITHOUT ROWID;
`;

/**
 * Live entries: the latest row of each key at or before the snapshot, unless
 * vacated, with the version of its document at the snapshot. The limit is
 * written into the statement: bound as a parameter it made SQLite take
 * three to four times as long over the same rows (measured: 30 µs against
 * 7 µs for a one-row scan), so there is one statement per limit used
 * (`ScanStatements`).
 */
const scanSql = (order: 'ASC' | 'DESC', bounded: boolean, limit: number) => `
SELECT e.key AS key, e.document_id AS id,
  (SELECT d.value FROM documents d WHERE d.id = e.document_id AND d.ts <= @ts
   ORDER BY d.ts DESC LIMIT 1) AS value
FROM index_entries e
WHERE e.index_id = @index AND e.key >= @start ${bounded ? 'AND e.key < @end' : ''} AND e.ts <= @ts
  AND e.ts = (SELECT MAX(x.ts) FROM index_entries x
              WHERE x.index_id = e.index_id AND x.key = e.key AND x.ts <= @ts)
  AND e.document_id IS NOT NULL
ORDER BY e.key ${order} LIMIT ${limit}`;

/** Scan statements prepared at most: limits come from a few batch sizes and the `take(n)` of queries. */
const MAX_SCAN_STATEMENTS = 256;

/**
 * What pruning at `cutoff` deletes: versions and index entries that a newer
 * one at or before `cutoff` hides (or that record a deletion), and commits at
 * or before it but the latest (which gives `latestTs` on reopen).
 */
const PRUNE = [
  `DELETE FROM documents WHERE ts <= @cutoff AND (value IS NULL OR EXISTS (
     SELECT 1 FROM documents n WHERE n.id = documents.id AND n.ts > documents.ts AND n.ts <= @cutoff))`,
  `DELETE FROM index_entries WHERE ts <= @cutoff AND (document_id IS NULL OR EXISTS (
     SELECT 1 FROM index_entries n WHERE n.index_id = index_entries.index_id AND n.key = index_entries.key
       AND n.ts > index_entries.ts AND n.ts <= @cutoff))`,
  `DELETE FROM commits WHERE ts <= @cutoff AND ts < (SELECT MAX(ts) FROM commits)`,
];

/** SQLite's page cache and WAL checkpoint interval (see the constructor); the bench's raw baseline uses them too. */
export const CACHE_KIB = 65_536;
export const CHECKPOINT_PAGES = 16_384;

/** Commits kept in memory for conflict checks; older snapshots read the commits table. */
const RECENT_COMMITS = 10_000;

export async function openSqliteStore(
  path: string,
  options: SqliteStoreOptions = {},
): Promise<DocumentStore> {
  return Promise.resolve(new SqliteStore(path, options));
}

class SqliteStore implements DocumentStore, StoreEngine {
  readonly catalog = new Catalog();
  readonly soleWriter = true;
  readonly #commitListeners = new CommitListeners();
  readonly #db: Database.Database;
  readonly #statements;
  /** Prepared scans, by order, boundedness and limit. */
  readonly #scans = new Map<string, Database.Statement>();
  readonly #tail: CommitTail;
  /**
   * A commit's transaction: made once, since better-sqlite3 builds a wrapper
   * with five properties for every `transaction()`.
   */
  readonly #commitTransaction: (
    request: CommitRequest,
    ts: Timestamp,
    writes: DocumentWrite[],
  ) => void;
  #latest: Timestamp;
  /** Snapshots before this were pruned away. */
  #floor: Timestamp;

  constructor(path: string, options: SqliteStoreOptions) {
    this.#db = new Database(path);
    this.#db.pragma('journal_mode = WAL');
    this.#db.pragma(
      `synchronous = ${options.synchronous === 'full' ? 'FULL' : 'NORMAL'}`,
    );
    // Updates and deletes touch leaf pages all over the document and index
    // trees (only new documents land at their ends, document-id.ts): a page
    // cache of 64 MiB (SQLite's default is 2 MiB) keeps them in memory for a
    // few hundred thousand documents. It fills only as pages are read.
    this.#db.pragma(`cache_size = -${CACHE_KIB}`);
    // A checkpoint copies the WAL into the database and syncs it. Every
    // 16,384 pages (64 MiB of WAL) rather than SQLite's 1,000 makes them
    // rarer, and a page written by many commits between two checkpoints is
    // copied once: measured, 1.4× the commit rate of the defaults.
    this.#db.pragma(`wal_autocheckpoint = ${CHECKPOINT_PAGES}`);
    this.#db.exec(SCHEMA);
    const db = this.#db;
    this.#statements = {
      document: db.prepare<[string, bigint], { value: string | null }>(
        'SELECT value FROM documents WHERE id = ? AND ts <= ? ORDER BY ts DESC LIMIT 1',
      ),
      insertDocument: db.prepare(
        'INSERT INTO documents (id, ts, table_number, value) VALUES (?, ?, ?, ?)',
      ),
      insertEntry: db.prepare(
        'INSERT INTO index_entries (index_id, key, ts, document_id) VALUES (?, ?, ?, ?)',
      ),
      insertCommit: db.prepare(
        'INSERT INTO commits (ts, writes) VALUES (?, ?)',
      ),
      commitsAfter: db
        .prepare<[bigint, number], { ts: bigint; writes: string }>(
          'SELECT ts, writes FROM commits WHERE ts > ? ORDER BY ts LIMIT ?',
        )
        .safeIntegers(true),
      insertTable: db.prepare(
        'INSERT INTO tables (number, name) VALUES (?, ?)',
      ),
      upsertIndex: db.prepare(
        `INSERT INTO indexes (id, table_number, name, fields, ready) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, fields = excluded.fields, ready = excluded.ready`,
      ),
      deleteIndex: db.prepare('DELETE FROM indexes WHERE id = ?'),
      session: db
        .prepare<[string, number], { result: string; ts: bigint }>(
          'SELECT result, ts FROM session_requests WHERE session_id = ? AND request_id = ?',
        )
        .safeIntegers(true),
      insertSession: db.prepare(
        'INSERT OR IGNORE INTO session_requests (session_id, request_id, result, ts) VALUES (?, ?, ?, ?)',
      ),
    };
    this.#commitTransaction = db.transaction(
      (request: CommitRequest, ts: Timestamp, writes: DocumentWrite[]) =>
        this.#writeRequest(request, ts, writes),
    );
    this.#loadCatalog();
    const last = db
      .prepare('SELECT MAX(ts) AS ts FROM commits')
      .safeIntegers(true)
      .get() as {
      ts: bigint | null;
    };
    this.#latest = last.ts ?? 0n;
    const floor = db
      .prepare("SELECT value FROM meta WHERE key = 'floor'")
      .safeIntegers(true)
      .get() as { value: bigint } | undefined;
    this.#floor = floor?.value ?? 0n;
    this.#tail = new CommitTail({
      from: this.#latest,
      capacity: RECENT_COMMITS,
    });
  }

  // ── DocumentStore ──────────────────────────────────────────────────────

  /** This process is the only writer: it has heard every commit. */
  catchUp(): Promise<Timestamp> {
    return this.latestTs();
  }

  latestTs(): Promise<Timestamp> {
    return Promise.resolve(this.#latest);
  }

  async begin(options: { ts?: Timestamp } = {}): Promise<Transaction> {
    const ts = options.ts ?? this.#latest;
    checkSnapshot(ts, { latest: this.#latest, floor: this.#floor });
    return new StoreTransaction(this, ts, nowMilliseconds());
  }

  prune(cutoff: Timestamp): Promise<void> {
    const floor = cutoff < this.#latest ? cutoff : this.#latest;
    if (floor <= this.#floor) return Promise.resolve();
    this.#db.transaction(() => {
      for (const sql of PRUNE) this.#db.prepare(sql).run({ cutoff: floor });
      this.#setFloor(floor);
    })();
    this.#floor = floor;
    return Promise.resolve();
  }

  async renumberTables(
    moves: readonly TableNumbering[],
  ): Promise<RenumberResult> {
    const plan = this.catalog.renumbering(moves);
    if (!plan.success) return plan;
    const changed = plan.moves;
    if (changed.length === 0) return { success: true };
    for (const move of changed) {
      const from = this.catalog.table(move.name)?.number ?? move.number;
      const live = await this.scanIndex(
        indexId(from, 0),
        { start: Buffer.alloc(0), end: null },
        { order: 'asc', limit: 1, ts: this.#latest },
      );
      if (live.length > 0)
        return {
          success: false,
          error: `Table "${move.name}" cannot be renumbered: it is not empty.`,
        };
    }
    // Older snapshots would read the tables' old documents under their new numbers.
    const floor = this.#latest;
    this.#db.transaction(() => {
      for (const move of changed) {
        const from = this.catalog.table(move.name)?.number ?? move.number;
        this.#db.prepare('DELETE FROM tables WHERE name = ?').run(move.name);
        this.#db
          .prepare('DELETE FROM indexes WHERE table_number = ?')
          .run(from);
      }
      for (const move of changed) {
        const from = this.catalog.table(move.name)?.number ?? move.number;
        this.#statements.insertTable.run(move.number, move.name);
        for (const index of this.catalog.indexes(from)) {
          this.#statements.upsertIndex.run(
            indexId(move.number, index.id - indexId(from, 0)),
            move.number,
            index.name,
            JSON.stringify(index.fields),
            index.ready ? 1 : 0,
          );
        }
      }
      if (floor > this.#floor) this.#setFloor(floor);
    })();
    this.catalog.renumber(changed);
    if (floor > this.#floor) this.#floor = floor;
    return { success: true };
  }

  #setFloor(floor: Timestamp): void {
    this.#db
      .prepare(
        `INSERT INTO meta (key, value) VALUES ('floor', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
      )
      .run(floor);
  }

  readCommits(afterTs: Timestamp, limit: number): Promise<CommitEntry[]> {
    const rows = this.#statements.commitsAfter.all(afterTs, limit);
    return Promise.resolve(
      rows.map((row) => ({
        ts: row.ts,
        writes: deserializeWrites(row.writes),
      })),
    );
  }

  mutationRecord(
    sessionId: string,
    requestId: number,
  ): Promise<MutationRecord | null> {
    const row = this.#statements.session.get(sessionId, requestId);
    return Promise.resolve(
      row ? { sessionId, requestId, result: row.result, ts: row.ts } : null,
    );
  }

  async defineIndexes(
    tableName: string,
    definitions: readonly IndexDefinition[],
  ): Promise<void> {
    const problem = indexDefinitionsError(definitions);
    if (problem) throw new Error(problem);
    let table = this.catalog.table(tableName);
    if (!table) {
      // A table named in the schema exists, empty, before its first insert.
      const created = {
        name: tableName,
        number: this.reserveTableNumber(tableName),
      };
      const tx = await this.begin();
      const result = await this.commit({
        snapshotTs: tx.snapshotTs,
        readSet: tx.readSet,
        writes: [],
        newTables: [created],
        mutations: [],
        catalogEpoch: this.catalog.epoch,
      });
      if (!result.success)
        throw new Error(`could not create table ${tableName}`);
      table = created;
    }
    const planned = this.catalog.planIndexes(table.number, definitions);
    const kept = new Set(planned.map((index) => index.id));
    const number = table.number;
    this.#db.transaction(() => {
      for (const index of this.catalog.indexes(number)) {
        if (!kept.has(index.id)) this.#statements.deleteIndex.run(index.id);
      }
      for (const index of planned) {
        this.#statements.upsertIndex.run(
          index.id,
          number,
          index.name,
          JSON.stringify(index.fields),
          index.ready ? 1 : 0,
        );
      }
    })();
    this.catalog.setIndexes(number, planned);
    for (const index of planned.filter((i) => !i.ready))
      this.#backfill(index.id);
  }

  close(): Promise<void> {
    this.#db.close();
    return Promise.resolve();
  }

  // ── StoreEngine ────────────────────────────────────────────────────────

  readDocument(id: string, ts: Timestamp): Promise<Document | null> {
    const row = this.#statements.document.get(id, ts);
    return Promise.resolve(row?.value ? documentFromText(row.value) : null);
  }

  scanIndex(
    indexId: number,
    interval: KeyInterval,
    options: { order: 'asc' | 'desc'; limit: number; ts: Timestamp },
  ): Promise<IndexEntry[]> {
    const statement = this.#scanStatement(
      options.order === 'asc' ? 'ASC' : 'DESC',
      interval.end !== null,
      options.limit,
    );
    const params = {
      index: indexId,
      start: interval.start,
      ts: options.ts,
    };
    const rows = (
      interval.end
        ? statement.all({ ...params, end: interval.end })
        : statement.all(params)
    ) as { key: Buffer; id: string; value: string | null }[];
    const entries: IndexEntry[] = [];
    for (const row of rows) {
      if (!row.value)
        throw new Error(
          `index ${indexId} points at ${row.id}, which is missing at ${options.ts}`,
        );
      entries.push({ key: row.key, document: documentFromText(row.value) });
    }
    return Promise.resolve(entries);
  }

  #scanStatement(
    order: 'ASC' | 'DESC',
    bounded: boolean,
    limit: number,
  ): Database.Statement {
    if (!Number.isSafeInteger(limit) || limit < 0)
      throw new RangeError(`a scan limit must be a count, got ${limit}`);
    const key = `${order} ${bounded} ${limit}`;
    let statement = this.#scans.get(key);
    if (!statement) {
      if (this.#scans.size >= MAX_SCAN_STATEMENTS) this.#scans.clear();
      statement = this.#db
        .prepare(scanSql(order, bounded, limit))
        .safeIntegers(true);
      this.#scans.set(key, statement);
    }
    return statement;
  }

  onCommit(listener: CommitListener): () => void {
    return this.#commitListeners.add(listener);
  }

  reserveTableNumber(name: string, wanted?: number): number {
    return this.catalog.reserveTableNumber(name, wanted);
  }

  commit(request: CommitRequest): Promise<CommitResult> {
    return new Promise((resolve) => resolve(this.#commitNow(request)));
  }

  /**
   * One request's writes, in its transaction. Its mutation records go first,
   * as their own check: a request recorded already throws AlreadyRecorded,
   * which rolls the transaction back, and a new one costs no lookup.
   */
  #writeRequest(
    request: CommitRequest,
    ts: Timestamp,
    writes: DocumentWrite[],
  ): void {
    for (const m of request.mutations) {
      const inserted = this.#statements.insertSession.run(
        m.sessionId,
        m.requestId,
        m.result,
        ts,
      );
      if (inserted.changes === 0) throw new AlreadyRecorded(m);
    }
    for (const table of request.newTables) this.#createTable(table, writes);
    for (const write of request.writes) {
      const before = write.created
        ? null
        : (this.#statements.document.get(write.id, ts)?.value ?? null);
      const indexes = this.catalog.indexes(write.table.number);
      const entry = documentWrite(
        write,
        before === null ? null : documentFromText(before),
        indexes,
      );
      writes.push(entry);
      const value = write.document && documentToText(write.document);
      this.#statements.insertDocument.run(
        write.id,
        ts,
        write.table.number,
        value,
      );
      for (const key of entry.keys) {
        if (key.old && key.new && key.old.equals(key.new)) continue;
        if (key.old)
          this.#statements.insertEntry.run(key.indexId, key.old, ts, null);
        if (key.new)
          this.#statements.insertEntry.run(key.indexId, key.new, ts, write.id);
      }
    }
    this.#statements.insertCommit.run(ts, serializeWrites(writes));
  }

  /**
   * Checks a request against every commit after its snapshot and writes it
   * in a transaction of its own; once that is durable, the commit is
   * visible, logged and announced.
   */
  #commitNow(request: CommitRequest): CommitResult {
    if (request.catalogEpoch !== this.catalog.epoch)
      return { success: false, conflict: renumberedConflict(this.#latest) };
    const conflict = findConflict(
      request.readSet,
      this.#commitsAfter(request.snapshotTs),
      this.catalog,
    );
    if (conflict) return { success: false, conflict };

    const ts = nextCommitTs(this.#latest);
    const writes: DocumentWrite[] = [];
    try {
      this.#commitTransaction(request, ts, writes);
    } catch (error) {
      if (!(error instanceof AlreadyRecorded)) throw error;
      const { sessionId, requestId } = error.request;
      const recorded = this.#statements.session.get(sessionId, requestId);
      if (!recorded) throw new Error('a refused mutation record is not there');
      return {
        success: false,
        conflict: sessionRequestConflict(sessionId, requestId, recorded.ts),
      };
    }
    const entry = { ts, writes };
    this.#latest = ts;
    this.#tail.push(entry);
    this.#commitListeners.notify(entry, true);
    return { success: true, ts, writes };
  }

  #createTable(table: TableInfo, writes: DocumentWrite[]): void {
    if (this.catalog.table(table.name))
      throw new Error(`table ${table.name} already exists`);
    this.#statements.insertTable.run(table.number, table.name);
    for (const index of builtInIndexes(table.number)) {
      this.#statements.upsertIndex.run(
        index.id,
        table.number,
        index.name,
        JSON.stringify(index.fields),
        1,
      );
    }
    this.catalog.addTable(table);
    writes.push(tableCreation(table.name));
  }

  /**
   * The commits after `ts`, from memory when it reaches back that far; the
   * log on disk holds `pending` (this batch's, not yet durable) too.
   */
  #commitsAfter(ts: Timestamp): CommitEntry[] {
    if (this.#tail.covers(ts)) return this.#tail.after(ts);
    const rows = this.#statements.commitsAfter.all(ts, Number.MAX_SAFE_INTEGER);
    return rows.map((row) => ({
      ts: row.ts,
      writes: deserializeWrites(row.writes),
    }));
  }

  /** Builds a new index's entries from the latest versions, then lets it serve. */
  #backfill(indexId: number): void {
    const index = this.catalog.indexById(indexId);
    if (!index) return;
    const ts = this.#latest;
    const rows = this.#db
      .prepare<[number, bigint], { id: string; value: string }>(
        `SELECT d.id AS id, d.value AS value FROM documents d
         WHERE d.table_number = ? AND d.ts = (SELECT MAX(x.ts) FROM documents x WHERE x.id = d.id AND x.ts <= ?)
           AND d.value IS NOT NULL`,
      )
      .all(index.tableNumber, ts);
    this.#db.transaction(() => {
      for (const row of rows) {
        const key = documentIndexKey(index, documentFromText(row.value));
        this.#statements.insertEntry.run(index.id, key, ts, row.id);
      }
      this.#statements.upsertIndex.run(
        index.id,
        index.tableNumber,
        index.name,
        JSON.stringify(index.fields),
        1,
      );
    })();
    this.catalog.setIndexes(
      index.tableNumber,
      this.catalog
        .indexes(index.tableNumber)
        .map((i) => (i.id === index.id ? { ...i, ready: true } : i)),
    );
  }

  #loadCatalog(): void {
    const tables = this.#db
      .prepare('SELECT number, name FROM tables')
      .all() as TableInfo[];
    for (const table of tables) this.catalog.addTable(table);
    const rows = this.#db
      .prepare(
        'SELECT id, table_number, name, fields, ready FROM indexes ORDER BY id',
      )
      .all() as {
      id: number;
      table_number: number;
      name: string;
      fields: string;
      ready: number;
    }[];
    for (const table of tables) {
      const indexes = rows
        .filter((row) => row.table_number === table.number)
        .map((row) => ({
          id: row.id,
          tableNumber: row.table_number,
          name: row.name,
          fields: JSON.parse(row.fields) as string[],
          ready: row.ready === 1,
        }));
      if (indexes.length > 0) this.catalog.setIndexes(table.number, indexes);
    }
  }
}

/** Thrown inside a commit's savepoint when one of its mutations has a record already. */
class AlreadyRecorded extends Error {
  readonly request: { sessionId: string; requestId: number };

  constructor(request: { sessionId: string; requestId: number }) {
    super(`request ${request.requestId} of ${request.sessionId} is recorded`);
    this.request = request;
  }
}
