/**
 * The store on PostgreSQL (through `pg`), selected by `DATABASE_URL`: the
 * same versioned layout as sqlite.ts (documents and index entries kept per
 * commit timestamp, read at a snapshot as the latest row at or before it), in
 * a schema of its own.
 *
 * Commits are serialized by a transaction-scoped advisory lock: inside it the
 * committer checks the read set against every commit after the snapshot,
 * takes the next timestamp after the latest in the database, and writes. So
 * timestamps increase in commit order, and once a timestamp is visible every
 * commit below it is too. Each commit is durable when PostgreSQL acknowledges
 * it (its own WAL and `synchronous_commit`).
 *
 * Several processes may share one database. Each learns of the others'
 * commits from the commit log, read in timestamp order from the last one it
 * has, whenever a commit's `NOTIFY` or a poll wakes it (commit-feed.ts):
 * its snapshots then include them, a table another process created joins
 * its catalog, and its commit listeners hear every commit exactly once, in
 * timestamp order, its own included (an own commit right after the last one
 * heard is passed on at once; after a gap, the log is read first).
 *
 * The catalog travels the same way: a commit that changes it (a table
 * created, indexes defined, tables renumbered) writes to the catalog index
 * (`TABLES_INDEX_ID`) in the log, and a process hearing one reads the stored
 * catalog again (postgres-catalog.ts). Index slots are chosen under the
 * commit lock from the stored catalog, so every process gives an index the
 * same id, and a commit made with a catalog older than the stored one is
 * refused as a conflict and runs again.
 */
import pg from 'pg';
import {
  TABLES_INDEX_ID,
  type TableInfo,
  builtInIndexes,
  Catalog,
  documentIndexKey,
  indexDefinitionsError,
  indexId,
} from './catalog.ts';
import {
  deserializeWrites,
  findConflict,
  renumberedConflict,
  serializeWrites,
  catalogChange,
  sessionRequestConflict,
  tableCreation,
} from './commit-plan.ts';
import type { CommitRequest, IndexEntry, StoreEngine } from './engine.ts';
import { CommitFeed } from './commit-feed.ts';
import {
  appendCommit,
  commitRows,
  readSinceSnapshot,
} from './postgres-commit.ts';
import { commitNotice, readCommitNotice } from './commit-notice.ts';
import {
  type StoredCatalog,
  bumpCatalogVersion,
  readStoredCatalog,
  storedCatalogVersion,
} from './postgres-catalog.ts';
import { CommitListeners } from './commit-listeners.ts';
import { nextCommitTs, nowMilliseconds } from './clock.ts';
import { documentFromText } from './document-json.ts';
import type { KeyInterval } from './key-range.ts';
import type {
  CommitEntry,
  CommitListener,
  CommitResult,
  Conflict,
  Document,
  DocumentStore,
  IndexDefinition,
  MutationRecord,
  RenumberResult,
  TableNumbering,
  Timestamp,
  Transaction,
} from './store.ts';
import { StoreTransaction, checkSnapshot } from './transaction.ts';
import type { DocumentWrite } from './write-set.ts';

export interface PostgresStoreOptions {
  /** The PostgreSQL schema that holds the store's tables. */
  schema?: string;
}

/**
 * How often a process looks for other processes' commits without being
 * notified: the longest a lost notification can delay one.
 */
const POLL_MS = 1000;
/** Commits read from the log at a time while catching up. */
const CATCH_UP_BATCH = 1000;

/** The advisory lock key that serializes commits ("converge" in ASCII, truncated). */
const COMMIT_LOCK = 0x636f6e76;
/** The advisory lock key that serializes creating the schema, which processes starting together race for. */
const SCHEMA_LOCK = COMMIT_LOCK + 1;

const schemaSql = (s: string) => `
CREATE SCHEMA IF NOT EXISTS ${s};
CREATE TABLE IF NOT EXISTS ${s}.tables (number INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS ${s}.indexes (
  id BIGINT PRIMARY KEY, table_number INTEGER NOT NULL, name TEXT NOT NULL,
  fields TEXT NOT NULL, ready BOOLEAN NOT NULL);
CREATE TABLE IF NOT EXISTS ${s}.documents (
  id TEXT NOT NULL, ts BIGINT NOT NULL, table_number INTEGER NOT NULL, value TEXT,
  PRIMARY KEY (id, ts));
CREATE TABLE IF NOT EXISTS ${s}.index_entries (
  index_id BIGINT NOT NULL, key BYTEA NOT NULL, ts BIGINT NOT NULL, document_id TEXT,
  PRIMARY KEY (index_id, key, ts));
CREATE TABLE IF NOT EXISTS ${s}.commits (ts BIGINT PRIMARY KEY, writes TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS ${s}.meta (key TEXT PRIMARY KEY, value BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS ${s}.session_requests (
  session_id TEXT NOT NULL, request_id BIGINT NOT NULL, result TEXT NOT NULL, ts BIGINT NOT NULL,
  PRIMARY KEY (session_id, request_id));
`;

export async function openPostgresStore(
  url: string,
  options: PostgresStoreOptions = {},
): Promise<DocumentStore> {
  const schema = options.schema ?? 'converge';
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema))
    throw new Error(`invalid schema name "${schema}"`);
  const pool = new pg.Pool({ connectionString: url });
  await createSchema(pool, schema);
  const store = new PostgresStore(pool, schema);
  await store.load();
  await store.follow(url);
  return store;
}

/** Creates the store's tables once, whichever of the processes starting together comes first. */
async function createSchema(pool: pg.Pool, schema: string): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [SCHEMA_LOCK]);
    await client.query(schemaSql(schema));
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

type Queryable = pg.Pool | pg.PoolClient;

/** A commit's log entry, with the commit before it. */
interface KnownCommit {
  previous: Timestamp;
  entry: CommitEntry;
}

/** A commit that changed the catalog, and the catalog version it made. */
interface CatalogCommit extends KnownCommit {
  version: bigint;
}

class PostgresStore implements DocumentStore, StoreEngine {
  readonly catalog = new Catalog();
  readonly soleWriter = false;
  readonly #commitListeners = new CommitListeners();
  readonly #pool: pg.Pool;
  readonly #s: string;
  #latest: Timestamp = 0n;
  /** Snapshots before this were pruned away. */
  #floor: Timestamp = 0n;
  /** The last commit passed to the commit listeners: every one before it was too. */
  #heard: Timestamp = 0n;
  /** The stored catalog version the catalog mirrors (postgres-catalog.ts). */
  #catalogVersion = 0n;
  /** This process's commits not yet passed to the listeners. */
  readonly #ownUnheard = new Set<Timestamp>();
  /** A read of the log waiting its turn: later wakes join it. */
  #queuedRead: Promise<void> | null = null;
  /** Commits are heard one batch at a time, in order. */
  #hearing: Promise<void> = Promise.resolve();
  #feed: CommitFeed | null = null;

  constructor(pool: pg.Pool, schema: string) {
    this.#pool = pool;
    this.#s = schema;
  }

  async load(): Promise<void> {
    this.#adopt(await readStoredCatalog(this.#pool, this.#s));
    this.#latest = await this.#latestInDatabase(this.#pool);
    this.#heard = this.#latest;
  }

  /** Follows the commits of other processes from now on. */
  async follow(url: string): Promise<void> {
    this.#feed = new CommitFeed({
      url,
      channel: this.#channel,
      pollMs: POLL_MS,
      wake: (payload) => {
        const notice = payload === undefined ? null : readCommitNotice(payload);
        // This process's own commits, and commits already read from the log.
        if (notice !== null && notice.ts <= this.#heard) return;
        const commit = notice?.commit ?? null;
        void this.#hear(
          commit !== null && !commit.entry.writes.some(changesCatalog)
            ? commit
            : null,
        );
      },
      onError: () => {
        // Polling goes on; the feed listens again at its next tick.
      },
    });
    await this.#feed.start();
  }

  get #channel(): string {
    return `${this.#s}_commits`;
  }

  /**
   * Passes commits to the listeners in order: `known` (a commit this
   * process just made, or one a notification described, with the latest
   * commit before it) at once when it follows the last one heard, and
   * otherwise everything after that from the log. A commit that changed
   * the catalog is passed on once the catalog has been read again; so is
   * every commit after `reread`. Reads of the log asked for while one is
   * waiting to start are that one. Whether a commit is this process's own
   * was recorded before it committed (`#insertCommit`): its notification
   * may be handled before the commit call returns.
   */
  #hear(
    known: KnownCommit | null,
    options: { reread?: boolean } = {},
  ): Promise<void> {
    const readOnly = known === null && !options.reread;
    if (readOnly && this.#queuedRead !== null) return this.#queuedRead;
    const next = this.#hearing.then(async () => {
      if (this.#queuedRead === next) this.#queuedRead = null;
      if (options.reread)
        this.#adopt(await readStoredCatalog(this.#pool, this.#s));
      if (known !== null && known.entry.ts <= this.#heard) return;
      if (known !== null && known.previous === this.#heard) {
        this.#pass(known.entry);
        return;
      }
      for (;;) {
        const entries = await this.#commitsAfter(
          this.#pool,
          this.#heard,
          CATCH_UP_BATCH,
        );
        for (const entry of entries) {
          if (entry.writes.some(changesCatalog))
            this.#adopt(await readStoredCatalog(this.#pool, this.#s));
          this.#pass(entry);
        }
        if (entries.length < CATCH_UP_BATCH) return;
      }
    });
    if (readOnly) this.#queuedRead = next;
    this.#hearing = next.catch(() => undefined);
    return next;
  }

  #pass(entry: CommitEntry): void {
    if (entry.ts <= this.#heard) return;
    this.#heard = entry.ts;
    if (entry.ts > this.#latest) this.#latest = entry.ts;
    const own = this.#ownUnheard.delete(entry.ts);
    this.#commitListeners.notify(entry, own);
  }

  /** Mirrors the stored catalog, unless this process already has a later one. */
  #adopt(stored: StoredCatalog): void {
    if (stored.version < this.#catalogVersion) return;
    this.catalog.adopt(stored.tables, stored.indexes);
    this.#catalogVersion = stored.version;
    if (stored.floor > this.#floor) this.#floor = stored.floor;
  }

  async prune(cutoff: Timestamp): Promise<void> {
    const floor = cutoff < this.#latest ? cutoff : this.#latest;
    if (floor <= this.#floor) return;
    const s = this.#s;
    await this.#locked(async (client) => {
      await client.query(
        `DELETE FROM ${s}.documents d WHERE d.ts <= $1 AND (d.value IS NULL OR EXISTS (
           SELECT 1 FROM ${s}.documents n WHERE n.id = d.id AND n.ts > d.ts AND n.ts <= $1))`,
        [floor],
      );
      await client.query(
        `DELETE FROM ${s}.index_entries e WHERE e.ts <= $1 AND (e.document_id IS NULL OR EXISTS (
           SELECT 1 FROM ${s}.index_entries n WHERE n.index_id = e.index_id AND n.key = e.key
             AND n.ts > e.ts AND n.ts <= $1))`,
        [floor],
      );
      await client.query(
        `DELETE FROM ${s}.commits WHERE ts <= $1 AND ts < (SELECT MAX(ts) FROM ${s}.commits)`,
        [floor],
      );
      await this.#setFloor(client, floor);
    });
    this.#floor = floor;
  }

  async renumberTables(
    moves: readonly TableNumbering[],
  ): Promise<RenumberResult> {
    const s = this.#s;
    const outcome = await this.#locked(
      async (
        client,
      ): Promise<
        | { success: false; error: string }
        | { success: true; changed: TableNumbering[]; commit?: CatalogCommit }
      > => {
        await this.#catchUpCatalog(client);
        const plan = this.catalog.renumbering(moves);
        if (!plan.success) return plan;
        const changed = plan.moves;
        if (changed.length === 0) return { success: true, changed };
        const latest = await this.#latestInDatabase(client);
        for (const move of changed) {
          const from = this.catalog.table(move.name)?.number ?? move.number;
          const { rows } = await client.query(
            `SELECT 1 FROM ${s}.index_entries e
             WHERE e.index_id = $1 AND e.document_id IS NOT NULL
               AND e.ts = (SELECT MAX(x.ts) FROM ${s}.index_entries x
                           WHERE x.index_id = e.index_id AND x.key = e.key AND x.ts <= $2)
             LIMIT 1`,
            [indexId(from, 0), latest],
          );
          if (rows.length > 0)
            return {
              success: false,
              error: `Table "${move.name}" cannot be renumbered: it is not empty.`,
            };
        }
        for (const move of changed) {
          const from = this.catalog.table(move.name)?.number ?? move.number;
          await client.query(`DELETE FROM ${s}.tables WHERE name = $1`, [
            move.name,
          ]);
          await client.query(
            `DELETE FROM ${s}.indexes WHERE table_number = $1`,
            [from],
          );
        }
        for (const move of changed) {
          const from = this.catalog.table(move.name)?.number ?? move.number;
          await client.query(
            `INSERT INTO ${s}.tables (number, name) VALUES ($1, $2)`,
            [move.number, move.name],
          );
          for (const index of this.catalog.indexes(from))
            await this.#upsertIndex(client, {
              ...index,
              id: indexId(move.number, index.id - indexId(from, 0)),
              tableNumber: move.number,
            });
        }
        // Older snapshots would read the tables' old documents under their new numbers.
        if (latest > this.#floor) await this.#setFloor(client, latest);
        const commit = await this.#commitCatalogChange(
          client,
          latest,
          changed.map((move) => catalogChange(move.name)),
        );
        return { success: true, changed, commit };
      },
      (result) => result.success,
    );
    if (!outcome.success) return outcome;
    const { commit, changed } = outcome;
    if (commit === undefined) return { success: true };
    if (commit.version > this.#catalogVersion) {
      this.catalog.renumber(changed);
      this.#catalogVersion = commit.version;
    }
    if (commit.previous > this.#floor) this.#floor = commit.previous;
    await this.#hear(commit);
    return { success: true };
  }

  /** Under the commit lock: reads the stored catalog again if another process changed it. */
  async #catchUpCatalog(client: pg.PoolClient): Promise<void> {
    if ((await storedCatalogVersion(client, this.#s)) !== this.#catalogVersion)
      this.#adopt(await readStoredCatalog(client, this.#s));
  }

  /** Under the commit lock: a commit after `previous` that records a catalog change. */
  async #commitCatalogChange(
    client: pg.PoolClient,
    previous: Timestamp,
    writes: DocumentWrite[],
  ): Promise<CatalogCommit> {
    const version = await bumpCatalogVersion(client, this.#s);
    const ts = nextCommitTs(previous);
    await this.#insertCommit(client, ts, previous, writes);
    return { previous, entry: { ts, writes }, version };
  }

  async #setFloor(client: Queryable, floor: Timestamp): Promise<void> {
    await client.query(
      `INSERT INTO ${this.#s}.meta (key, value) VALUES ('floor', $1) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
      [floor],
    );
  }

  // ── DocumentStore ──────────────────────────────────────────────────────

  async catchUp(): Promise<Timestamp> {
    await this.#hear(null);
    return this.#latest;
  }

  async latestTs(): Promise<Timestamp> {
    return this.#latest;
  }

  async begin(options: { ts?: Timestamp } = {}): Promise<Transaction> {
    const ts = options.ts ?? this.#latest;
    checkSnapshot(ts, { latest: this.#latest, floor: this.#floor });
    return new StoreTransaction(this, ts, nowMilliseconds());
  }

  async readCommits(afterTs: Timestamp, limit: number): Promise<CommitEntry[]> {
    return this.#commitsAfter(this.#pool, afterTs, limit);
  }

  async mutationRecord(
    sessionId: string,
    requestId: number,
  ): Promise<MutationRecord | null> {
    const row = await this.#sessionRequest(this.#pool, sessionId, requestId);
    return row
      ? { sessionId, requestId, result: row.result, ts: row.ts }
      : null;
  }

  async defineIndexes(
    tableName: string,
    definitions: readonly IndexDefinition[],
  ): Promise<void> {
    const problem = indexDefinitionsError(definitions);
    if (problem) throw new Error(problem);
    const outcome = await this.#locked(async (client) => {
      // Slots are chosen from the stored catalog, so every process agrees on them.
      await this.#catchUpCatalog(client);
      const existing = this.catalog.table(tableName);
      const table = existing ?? {
        name: tableName,
        number: this.reserveTableNumber(tableName),
      };
      const writes: DocumentWrite[] = [];
      // A table named in the schema exists, empty, before its first insert.
      if (!existing) await this.#createTable(client, table, writes);
      const planned = this.catalog.planIndexes(table.number, definitions);
      const kept = new Set(planned.map((index) => index.id));
      const dropped = this.catalog
        .indexes(table.number)
        .filter((index) => !kept.has(index.id));
      const added = planned.filter((index) => !index.ready);
      if (existing && dropped.length === 0 && added.length === 0) return null;
      for (const index of dropped)
        await client.query(`DELETE FROM ${this.#s}.indexes WHERE id = $1`, [
          index.id,
        ]);
      const latest = await this.#latestInDatabase(client);
      for (const index of planned) {
        if (!index.ready)
          await this.#backfill(
            client,
            index.id,
            index.tableNumber,
            planned,
            latest,
          );
        await this.#upsertIndex(client, { ...index, ready: true });
      }
      if (existing) writes.push(catalogChange(tableName));
      const commit = await this.#commitCatalogChange(client, latest, writes);
      return { table, created: !existing, planned, commit };
    });
    if (outcome === null) return;
    const { table, created, planned, commit } = outcome;
    if (commit.version > this.#catalogVersion) {
      if (created) this.catalog.addTable(table);
      this.catalog.setIndexes(
        table.number,
        planned.map((index) => ({ ...index, ready: true })),
      );
      this.#catalogVersion = commit.version;
    }
    await this.#hear(commit);
  }

  async close(): Promise<void> {
    await this.#feed?.close();
    await this.#hearing;
    await this.#pool.end();
  }

  // ── StoreEngine ────────────────────────────────────────────────────────

  async readDocument(id: string, ts: Timestamp): Promise<Document | null> {
    const { rows } = await this.#pool.query<{ value: string | null }>(
      `SELECT value FROM ${this.#s}.documents WHERE id = $1 AND ts <= $2 ORDER BY ts DESC LIMIT 1`,
      [id, ts],
    );
    const value = rows[0]?.value;
    return value ? documentFromText(value) : null;
  }

  async scanIndex(
    indexId: number,
    interval: KeyInterval,
    options: { order: 'asc' | 'desc'; limit: number; ts: Timestamp },
  ): Promise<IndexEntry[]> {
    const order = options.order === 'asc' ? 'ASC' : 'DESC';
    const { rows } = await this.#pool.query<{
      key: Buffer;
      value: string | null;
    }>(
      `SELECT e.key, d.value FROM (
         SELECT e.key, e.document_id FROM ${this.#s}.index_entries e
         WHERE e.index_id = $1 AND e.key >= $2 AND ($3::bytea IS NULL OR e.key < $3) AND e.ts <= $4
           AND e.ts = (SELECT MAX(x.ts) FROM ${this.#s}.index_entries x
                       WHERE x.index_id = e.index_id AND x.key = e.key AND x.ts <= $4)
           AND e.document_id IS NOT NULL
         ORDER BY e.key ${order} LIMIT $5) e
       CROSS JOIN LATERAL (
         SELECT value FROM ${this.#s}.documents
         WHERE id = e.document_id AND ts <= $4 ORDER BY ts DESC LIMIT 1) d
       ORDER BY e.key ${order}`,
      [indexId, interval.start, interval.end, options.ts, options.limit],
    );
    return rows.map((row) => {
      if (!row.value)
        throw new Error(
          `index ${indexId} points at a missing document at ${options.ts}`,
        );
      return { key: row.key, document: documentFromText(row.value) };
    });
  }

  onCommit(listener: CommitListener): () => void {
    return this.#commitListeners.add(listener);
  }

  reserveTableNumber(name: string, wanted?: number): number {
    return this.catalog.reserveTableNumber(name, wanted);
  }

  async commit(request: CommitRequest): Promise<CommitResult> {
    const result = await this.#locked(
      async (
        client,
      ): Promise<
        | (Exclude<CommitResult, { success: true }> & { reread?: true })
        | (CommitResult & {
            success: true;
            previous: Timestamp;
            version: bigint;
          })
      > => {
        if (request.catalogEpoch !== this.catalog.epoch)
          return {
            success: false,
            conflict: renumberedConflict(await this.#latestInDatabase(client)),
          };
        const since = await readSinceSnapshot(
          client,
          this.#s,
          request.snapshotTs,
        );
        const previous = since.latest;
        const conflict = findConflict(
          request.readSet,
          since.after,
          this.catalog,
        );
        if (conflict) return { success: false, conflict };
        // Another process changed the catalog since this one read it: the
        // writes might miss an index it added, so the transaction runs again.
        if (since.catalogVersion !== this.#catalogVersion)
          return {
            success: false,
            conflict: renumberedConflict(previous),
            reread: true,
          };
        // Another process may have created a table by this name, or with
        // this number, since this one last heard: the transaction runs again.
        for (const table of request.newTables) {
          const { rows } = await client.query(
            `SELECT 1 FROM ${this.#s}.tables WHERE name = $1 OR number = $2 LIMIT 1`,
            [table.name, table.number],
          );
          if (rows.length > 0)
            return {
              success: false,
              conflict: renumberedConflict(previous),
              reread: true,
            };
        }
        const ts = nextCommitTs(previous);
        const created: DocumentWrite[] = [];
        for (const table of request.newTables)
          await this.#createTable(client, table, created);
        const version =
          request.newTables.length > 0
            ? await bumpCatalogVersion(client, this.#s)
            : since.catalogVersion;
        const rows = await commitRows(
          client,
          this.#s,
          request.writes,
          ts,
          (tableNumber) => this.catalog.indexes(tableNumber),
        );
        const writes = [...created, ...rows.writes];
        const serializedWrites = serializeWrites(writes);
        // Kept even if COMMIT then fails: the timestamp is then never heard,
        // and no other commit takes it (nanoseconds, under the commit lock).
        this.#ownUnheard.add(ts);
        const recorded = await appendCommit(client, this.#s, {
          ts,
          rows,
          serializedWrites,
          mutations: request.mutations,
          channel: this.#channel,
          notice: commitNotice(ts, previous, serializedWrites),
        });
        if (recorded < request.mutations.length)
          return {
            success: false,
            conflict: await this.#recordedConflict(client, request.mutations),
          };
        return { success: true, ts, writes, previous, version };
      },
      (outcome) => outcome.success,
    );
    if (!result.success) {
      if (result.reread) {
        for (const table of request.newTables)
          this.catalog.forgetReservation(table.name);
        await this.#hear(null, { reread: true });
      } else if (result.conflict.ts > this.#heard)
        // The retry begins after the commit it conflicted with, not at a
        // snapshot that conflicts with it again.
        await this.#hear(null);
      return { success: false, conflict: result.conflict };
    }
    // The catalog and the latest timestamp change only once PostgreSQL has committed.
    if (result.version > this.#catalogVersion) {
      for (const table of request.newTables) this.catalog.addTable(table);
      this.#catalogVersion = result.version;
    }
    await this.#hear({
      previous: result.previous,
      entry: { ts: result.ts, writes: result.writes },
    });
    return { success: true, ts: result.ts, writes: result.writes };
  }

  /** The conflict of a commit one of whose mutations was recorded meanwhile. */
  async #recordedConflict(
    client: pg.PoolClient,
    mutations: CommitRequest['mutations'],
  ): Promise<Conflict> {
    for (const { sessionId, requestId } of mutations) {
      const recorded = await this.#sessionRequest(client, sessionId, requestId);
      if (recorded)
        return sessionRequestConflict(sessionId, requestId, recorded.ts);
    }
    throw new Error('a mutation record was refused, yet none is recorded');
  }

  /**
   * Runs `work` in one PostgreSQL transaction holding the commit lock. It
   * commits unless `work` throws or `keep` says the outcome must not be kept.
   */
  async #locked<T>(
    work: (client: pg.PoolClient) => Promise<T>,
    keep: (outcome: T) => boolean = () => true,
  ): Promise<T> {
    const client = await this.#pool.connect();
    try {
      // One round trip: the lock is held from here to COMMIT.
      await client.query(`BEGIN; SELECT pg_advisory_xact_lock(${COMMIT_LOCK})`);
      const outcome = await work(client);
      await client.query(keep(outcome) ? 'COMMIT' : 'ROLLBACK');
      return outcome;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async #createTable(
    client: pg.PoolClient,
    table: TableInfo,
    writes: DocumentWrite[],
  ): Promise<void> {
    await client.query(
      `INSERT INTO ${this.#s}.tables (number, name) VALUES ($1, $2)`,
      [table.number, table.name],
    );
    for (const index of builtInIndexes(table.number))
      await this.#upsertIndex(client, index);
    writes.push(tableCreation(table.name));
  }

  async #upsertIndex(
    client: Queryable,
    index: {
      id: number;
      tableNumber: number;
      name: string;
      fields: readonly string[];
      ready: boolean;
    },
  ): Promise<void> {
    await client.query(
      `INSERT INTO ${this.#s}.indexes (id, table_number, name, fields, ready) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (id) DO UPDATE SET name = excluded.name, fields = excluded.fields, ready = excluded.ready`,
      [
        index.id,
        index.tableNumber,
        index.name,
        JSON.stringify(index.fields),
        index.ready,
      ],
    );
  }

  async #backfill(
    client: pg.PoolClient,
    indexId: number,
    tableNumber: number,
    planned: readonly {
      id: number;
      name: string;
      fields: readonly string[];
      tableNumber: number;
      ready: boolean;
    }[],
    ts: Timestamp,
  ): Promise<void> {
    const index = planned.find((i) => i.id === indexId);
    if (!index) return;
    const { rows } = await client.query<{ id: string; value: string }>(
      `SELECT id, value FROM (
         SELECT DISTINCT ON (id) id, value FROM ${this.#s}.documents
         WHERE table_number = $1 ORDER BY id, ts DESC) latest
       WHERE value IS NOT NULL`,
      [tableNumber],
    );
    if (rows.length === 0) return;
    const keys = rows.map((row) =>
      documentIndexKey(index, documentFromText(row.value)),
    );
    const ids = rows.map((row) => row.id);
    await client.query(
      `INSERT INTO ${this.#s}.index_entries (index_id, key, ts, document_id)
       SELECT $1, k, $2, d FROM unnest($3::bytea[], $4::text[]) AS t(k, d)`,
      [indexId, ts, keys, ids],
    );
  }

  async #commitsAfter(
    client: Queryable,
    afterTs: Timestamp,
    limit: number,
  ): Promise<CommitEntry[]> {
    const { rows } = await client.query<{ ts: string; writes: string }>(
      `SELECT ts, writes FROM ${this.#s}.commits WHERE ts > $1 ORDER BY ts LIMIT $2`,
      [afterTs, limit],
    );
    return rows.map((row) => ({
      ts: BigInt(row.ts),
      writes: deserializeWrites(row.writes),
    }));
  }

  async #sessionRequest(
    client: Queryable,
    sessionId: string,
    requestId: number,
  ): Promise<{ result: string; ts: Timestamp } | null> {
    const { rows } = await client.query<{ result: string; ts: string }>(
      `SELECT result, ts FROM ${this.#s}.session_requests WHERE session_id = $1 AND request_id = $2`,
      [sessionId, requestId],
    );
    const row = rows[0];
    return row ? { result: row.result, ts: BigInt(row.ts) } : null;
  }

  /**
   * Appends to the commit log, and tells the processes that follow it once
   * it commits; records the commit as this process's own.
   */
  async #insertCommit(
    client: pg.PoolClient,
    ts: Timestamp,
    previous: Timestamp,
    writes: readonly DocumentWrite[],
  ): Promise<void> {
    const serialized = serializeWrites(writes);
    // Kept even if COMMIT then fails: the timestamp is then never heard,
    // and no other commit takes it (nanoseconds, under the commit lock).
    this.#ownUnheard.add(ts);
    await client.query(
      `WITH c AS (INSERT INTO ${this.#s}.commits (ts, writes) VALUES ($1, $2))
       SELECT pg_notify($3, $4)`,
      [ts, serialized, this.#channel, commitNotice(ts, previous, serialized)],
    );
  }

  async #latestInDatabase(client: Queryable): Promise<Timestamp> {
    const { rows } = await client.query<{ ts: string | null }>(
      `SELECT MAX(ts) AS ts FROM ${this.#s}.commits`,
    );
    return BigInt(rows[0]?.ts ?? 0);
  }
}

/** A commit log write into the catalog index: a table created, or its indexes or number changed. */
function changesCatalog(write: DocumentWrite): boolean {
  return write.id === '' && write.keys[0]?.indexId === TABLES_INDEX_ID;
}
