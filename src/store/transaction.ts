/**
 * StoreTransaction: the engine-independent half of a transaction.
 *
 * It reads the engine at one snapshot, overlays its own pending writes on
 * what it reads (read-your-writes), records what each read scanned into the
 * read set, and hands the writes to the engine at commit. States:
 *
 *   open ──commit()──▶ committing ──▶ finished
 *
 * Any call after `commit()` began is a bug in the caller and throws.
 */
import {
  type IndexInfo,
  type TableInfo,
  TABLES_INDEX_ID,
  documentIndexKey,
  indexId,
  tableNameError,
  tableNameKey,
} from './catalog.ts';
import { CreationTimeClock } from './creation-time.ts';
import {
  decodeDocumentId,
  encodeDocumentId,
  newInternalId,
} from './document-id.ts';
import type { PendingWrite, StoreEngine } from './engine.ts';
import { encodeIndexKey } from './index-key.ts';
import {
  type KeyInterval,
  contains,
  rangeInterval,
  resumeAfter,
  successor,
} from './key-range.ts';
import { TransactionUsage, documentProblem } from './limits.ts';
import { ReadSet } from './read-set.ts';
import type {
  CommitResult,
  Document,
  DocumentFields,
  DocumentPatch,
  IndexDescription,
  IndexRange,
  Savepoint,
  ScanResult,
  Timestamp,
  Transaction,
  UsageFigures,
} from './store.ts';

type State = 'open' | 'committing' | 'finished';

export class StoreTransaction implements Transaction {
  readonly snapshotTs: Timestamp;
  readonly readSet = new ReadSet();
  readonly #engine: StoreEngine;
  readonly #clock: CreationTimeClock;
  readonly #pending = new Map<string, PendingWrite>();
  readonly #newTables = new Map<string, TableInfo>();
  readonly #mutations: {
    sessionId: string;
    requestId: number;
    result: string;
  }[] = [];
  readonly #usage = new TransactionUsage();
  readonly #catalogEpoch: number;
  #state: State = 'open';

  constructor(engine: StoreEngine, snapshotTs: Timestamp, nowMs: number) {
    this.#engine = engine;
    this.snapshotTs = snapshotTs;
    this.#clock = new CreationTimeClock({ snapshotTs, nowMs });
    this.#catalogEpoch = engine.catalog.epoch;
  }

  tableNumber(table: string): number | null {
    return this.#table(table)?.number ?? null;
  }

  tableNames(): string[] {
    this.#assertOpen();
    this.readSet.add(TABLES_INDEX_ID, { start: Buffer.alloc(0), end: null });
    const names = new Set(this.#newTables.keys());
    for (const table of this.#engine.catalog.tables()) names.add(table.name);
    return [...names];
  }

  describeIndex(table: string, index: string): IndexDescription | null {
    const found = this.#table(table);
    const info = found && this.#engine.catalog.index(found.number, index);
    return info ? { fields: info.fields, ready: info.ready } : null;
  }

  async get(id: string): Promise<Document | null> {
    this.#assertOpen();
    const decoded = decodeDocumentId(id);
    if (!decoded) return null;
    this.readSet.add(
      indexId(decoded.tableNumber, 0),
      pointInterval(encodeIndexKey([id])),
    );
    const pending = this.#pending.get(id);
    if (pending) return pending.document && { ...pending.document };
    if (!this.#tableByNumber(decoded.tableNumber)) return null;
    const document = await this.#engine.readDocument(id, this.snapshotTs);
    if (document) this.#usage.read([document]);
    return document;
  }

  async scan(range: IndexRange): Promise<ScanResult> {
    this.#assertOpen();
    const table = this.#table(range.table);
    if (!table) {
      // The table is missing at this snapshot: its creation must conflict with this read.
      this.readSet.add(
        TABLES_INDEX_ID,
        pointInterval(tableNameKey(range.table)),
      );
      return { documents: [], lastKey: undefined, exhausted: true };
    }
    const index = this.#engine.catalog.index(table.number, range.index);
    if (!index)
      throw new Error(`Index ${range.table}.${range.index} not found.`);
    if (!index.ready)
      throw new Error(
        `Index ${range.table}.${range.index} is still backfilling.`,
      );

    this.#usage.indexRange();
    let interval = rangeInterval(range);
    if (range.after) interval = resumeAfter(interval, range.after, range.order);
    if (range.limit <= 0)
      return { documents: [], lastKey: undefined, exhausted: false };

    const overlaid = [...this.#pending.values()].filter(
      (w) => w.table.number === table.number,
    );
    const fetchLimit = range.limit + overlaid.length;
    const stored = this.#newTables.has(table.name)
      ? []
      : await this.#engine.scanIndex(index.id, interval, {
          order: range.order,
          limit: fetchLimit,
          ts: this.snapshotTs,
        });
    this.#usage.read(stored.map((entry) => entry.document));
    const merged = mergePending(stored, overlaid, index, interval, range.order);
    const page = merged.slice(0, range.limit);
    const exhausted =
      stored.length < fetchLimit && merged.length <= range.limit;
    const lastKey = page.at(-1)?.key;
    this.readSet.add(
      index.id,
      scannedInterval(interval, range.order, exhausted ? undefined : lastKey),
    );
    return {
      documents: page.map((entry) => ({ ...entry.document })),
      lastKey,
      exhausted,
    };
  }

  async insert(tableName: string, fields: DocumentFields): Promise<string> {
    this.#assertOpen();
    const problem = tableNameError(tableName);
    if (problem) throw new Error(problem);
    const table = this.#table(tableName) ?? this.#createTable(tableName);
    const id = encodeDocumentId(table.number, newInternalId(Date.now()));
    const document = {
      ...fields,
      _id: id,
      _creationTime: this.#clock.take(),
    } as Document;
    this.#put({ id, table, document, created: true });
    return id;
  }

  async insertWithId(tableName: string, document: Document): Promise<void> {
    this.#assertOpen();
    const problem = tableNameError(tableName);
    if (problem) throw new Error(problem);
    const id = document._id;
    const decoded = decodeDocumentId(id);
    if (!decoded) throw new Error(`Invalid _id "${id}".`);
    if (!isCreationTime(document._creationTime))
      throw new Error(
        `Invalid _creationTime ${String(document._creationTime)} of document ${id}.`,
      );
    const table =
      this.#table(tableName) ??
      this.#createTable(tableName, decoded.tableNumber);
    if (table.number !== decoded.tableNumber)
      throw new Error(
        `_id ${id} cannot be imported into '${tableName}' because its IDs have a different format`,
      );
    if (await this.get(id))
      throw new Error(
        `Document ${id} cannot be imported into '${tableName}': a document with that _id exists.`,
      );
    this.#put({ id, table, document: { ...document }, created: true });
  }

  async patch(id: string, patch: DocumentPatch): Promise<void> {
    const current = await this.#existing(id);
    const next: Record<string, unknown> = { ...current };
    for (const [field, value] of Object.entries(patch)) {
      if (value === undefined) delete next[field];
      else next[field] = value;
    }
    this.#write(id, {
      ...(next as Document),
      _id: current._id,
      _creationTime: current._creationTime,
    });
  }

  async replace(id: string, fields: DocumentFields): Promise<void> {
    const current = await this.#existing(id);
    this.#write(id, {
      ...fields,
      _id: current._id,
      _creationTime: current._creationTime,
    });
  }

  async delete(id: string): Promise<void> {
    await this.#existing(id);
    this.#write(id, null);
  }

  usage(): UsageFigures {
    return this.#usage.figures();
  }

  savepoint(): Savepoint {
    this.#assertOpen();
    const pending = new Map(this.#pending);
    const newTables = new Map(this.#newTables);
    const mutations = this.#mutations.length;
    return {
      rollback: () => {
        this.#assertOpen();
        replaceContents(this.#pending, pending);
        replaceContents(this.#newTables, newTables);
        this.#mutations.length = mutations;
      },
    };
  }

  recordMutation(sessionId: string, requestId: number, result: string): void {
    this.#assertOpen();
    this.#mutations.push({ sessionId, requestId, result });
  }

  async commit(): Promise<CommitResult> {
    this.#assertOpen();
    this.#state = 'committing';
    try {
      return await this.#engine.commit({
        snapshotTs: this.snapshotTs,
        readSet: this.readSet,
        writes: [...this.#pending.values()],
        newTables: [...this.#newTables.values()],
        mutations: this.#mutations,
        catalogEpoch: this.#catalogEpoch,
      });
    } finally {
      this.#state = 'finished';
    }
  }

  async #existing(id: string): Promise<Document> {
    const current = await this.get(id);
    if (!current) throw new Error(`Document ${id} does not exist.`);
    return current;
  }

  #write(id: string, document: Document | null): void {
    const decoded = decodeDocumentId(id);
    const table = decoded && this.#tableByNumber(decoded.tableNumber);
    if (!table) throw new Error(`Document ${id} does not exist.`);
    const created = this.#pending.get(id)?.created ?? false;
    this.#put({ id, table, document, created });
  }

  #put(write: PendingWrite): void {
    const problem = write.document && documentProblem(write.document);
    if (problem) throw new Error(problem);
    this.#pending.set(write.id, write);
    this.#usage.wrote(write.document, this.#pending.size);
  }

  #table(name: string): TableInfo | undefined {
    return this.#newTables.get(name) ?? this.#engine.catalog.table(name);
  }

  #tableByNumber(tableNumber: number): TableInfo | undefined {
    const table = this.#engine.catalog.tableByNumber(tableNumber);
    if (table) return table;
    for (const created of this.#newTables.values())
      if (created.number === tableNumber) return created;
    return undefined;
  }

  #createTable(name: string, wanted?: number): TableInfo {
    // The table did not exist at this snapshot: record that, so a concurrent creation conflicts.
    this.readSet.add(TABLES_INDEX_ID, pointInterval(tableNameKey(name)));
    const table = {
      name,
      number: this.#engine.reserveTableNumber(name, wanted),
    };
    this.#newTables.set(name, table);
    return table;
  }

  #assertOpen(): void {
    if (this.#state !== 'open')
      throw new Error(`the transaction is ${this.#state}`);
  }
}

/** A creation time as Convex keeps one: milliseconds since the epoch, finite and not negative. */
function isCreationTime(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

function replaceContents<K, V>(target: Map<K, V>, source: Map<K, V>): void {
  target.clear();
  for (const [key, value] of source) target.set(key, value);
}

/** Throws unless a snapshot at `ts` can be read: not after the latest commit, not before the last prune. */
export function checkSnapshot(
  ts: Timestamp,
  bounds: { latest: Timestamp; floor: Timestamp },
): void {
  if (ts > bounds.latest)
    throw new RangeError(
      `snapshot ${ts} is after the latest commit ${bounds.latest}`,
    );
  if (ts < bounds.floor)
    throw new RangeError(
      `snapshot ${ts} is before the retention floor ${bounds.floor}`,
    );
}

interface KeyedDocument {
  key: Buffer;
  document: Document;
}

/** Stored entries with this transaction's own writes laid over them, in scan order. */
function mergePending(
  stored: readonly KeyedDocument[],
  pending: readonly PendingWrite[],
  index: IndexInfo,
  interval: KeyInterval,
  order: 'asc' | 'desc',
): KeyedDocument[] {
  if (pending.length === 0) return [...stored];
  const overwritten = new Set(pending.map((write) => write.id));
  const merged = stored.filter((entry) => !overwritten.has(entry.document._id));
  for (const write of pending) {
    if (!write.document) continue;
    const key = documentIndexKey(index, write.document);
    if (contains(interval, key)) merged.push({ key, document: write.document });
  }
  const direction = order === 'asc' ? 1 : -1;
  return merged.sort((a, b) => direction * Buffer.compare(a.key, b.key));
}

/** The part of `interval` a scan has read: all of it, or up to and including `lastKey`. */
function scannedInterval(
  interval: KeyInterval,
  order: 'asc' | 'desc',
  lastKey: Buffer | undefined,
): KeyInterval {
  if (lastKey === undefined) return interval;
  return order === 'asc'
    ? { start: interval.start, end: successor(lastKey) }
    : { start: lastKey, end: interval.end };
}

function pointInterval(key: Buffer): KeyInterval {
  return { start: key, end: successor(key) };
}
