/**
 * writeImport: a confirmed snapshot import written to the store, as Convex
 * writes one (convex-backend `crates/application/src/snapshot_import/
 * mod.rs`; import-summary.ts is the half before confirmation): the tables
 * the mode replaces are emptied, empty tables whose number differs from the
 * one their ids carry are renumbered (store `renumberTables`), and the rows
 * are written with their `_id` and `_creationTime` (`insertWithId`; a row
 * without `_id` gets a new one), then the stored files.
 *
 * Writes go in transactions of at most half Convex's per-transaction
 * limits (8,000 documents, 8 MiB), as Convex batches them, each retried on
 * a conflict. Unlike Convex, which builds replaced tables aside and swaps
 * them in at the end, the writes are seen as they commit, and an import
 * that fails halfway leaves what it wrote.
 */
import { getConvexSize } from 'convex/values';
import { FIRST_USER_TABLE_NUMBER } from '../store/catalog.ts';
import { nextUp } from '../store/creation-time.ts';
import { decodeDocumentId } from '../store/document-id.ts';
import type { FileStorage } from '../store/file-storage.ts';
import type {
  Document,
  DocumentFields,
  DocumentStore,
  TableNumbering,
  Transaction,
} from '../store/store.ts';
import { STORAGE_TABLE, storedFileFields } from './stored-file-fields.ts';
import { formatExportJson } from './export-json.ts';
import type { ImportRow, ImportSource, ImportTable } from './import-source.ts';
import {
  type ImportMode,
  countDocuments,
  tableExists,
  thousands,
  userTables,
} from './import-summary.ts';

export type ImportOutcome =
  | { success: true; rowsWritten: number; tablesMoved: boolean }
  | { success: false; error: string };

export interface ImportProgress {
  /** What the import is doing now. */
  progress(message: string): Promise<void>;
  /** A table done. */
  checkpoint(message: string): Promise<void>;
  /** True stops the import before its next transaction. */
  stopped(): boolean;
}

/** Half of Convex's 16,000 documents and 16 MiB per transaction, as its import batches. */
const BATCH_DOCUMENTS = 8000;
const BATCH_BYTES = 8 * 1024 * 1024;
/** Documents deleted per transaction. */
const PAGE = 1000;
/** As many attempts as a mutation gets. */
const ATTEMPTS = 5;

type Failure = { success: false; error: string };

export async function writeImport(
  store: DocumentStore,
  files: FileStorage,
  source: ImportSource,
  mode: ImportMode,
  progress: ImportProgress,
): Promise<ImportOutcome> {
  const named = source.tables.map((table) => table.name);
  if (mode === 'requireEmpty')
    for (const name of [...named, ...(source.storage ? [STORAGE_TABLE] : [])])
      if ((await countDocuments(store, name)) > 0) return tableExists(name);
  if (mode === 'replace' || mode === 'replaceAll') {
    const cleared =
      mode === 'replaceAll'
        ? [...new Set([...named, ...(await userTables(store))])]
        : named;
    for (const name of cleared) {
      const emptied = await emptyTable(store, name, progress, null);
      if (!emptied.success) return emptied;
    }
    if (source.storage) {
      const emptied = await emptyTable(store, STORAGE_TABLE, progress, files);
      if (!emptied.success) return emptied;
    }
  }
  const moved = await renumber(store, source.tables, mode);
  if (!moved.success) return moved;

  let rowsWritten = 0;
  for (const table of source.tables) {
    const written = await writeTable(store, table, progress);
    if (!written.success) return written;
    rowsWritten += written.rows;
  }
  if (source.storage) {
    const stored = await writeFiles(store, files, source.storage, progress);
    if (!stored.success) return stored;
  }
  return { success: true, rowsWritten, tablesMoved: moved.moved };
}

/**
 * Gives the tables the numbers their ids carry, where they differ and the
 * mode emptied (or required empty) the table; `replaceAll` also moves an
 * emptied table out of the import's way.
 */
async function renumber(
  store: DocumentStore,
  tables: readonly ImportTable[],
  mode: ImportMode,
): Promise<{ success: true; moved: boolean } | Failure> {
  if (mode === 'append') return { success: true, moved: false };
  const tx = await store.begin();
  const moves: TableNumbering[] = [];
  const wanted = new Set<number>();
  for (const table of tables) {
    const number = table.number ?? firstIdNumber(table);
    if (number === null) continue;
    wanted.add(number);
    const current = tx.tableNumber(table.name);
    if (current !== null && current !== number)
      moves.push({ name: table.name, number });
  }
  if (mode === 'replaceAll') {
    const importing = new Set(tables.map((table) => table.name));
    let fresh = Math.max(
      FIRST_USER_TABLE_NUMBER,
      ...wanted,
      ...tx.tableNames().map((name) => tx.tableNumber(name) ?? 0),
    );
    for (const name of tx.tableNames()) {
      const number = tx.tableNumber(name);
      if (!importing.has(name) && number !== null && wanted.has(number)) {
        fresh += 1;
        moves.push({ name, number: fresh });
      }
    }
  }
  if (moves.length === 0) return { success: true, moved: false };
  const result = await store.renumberTables(moves);
  return result.success ? { success: true, moved: true } : result;
}

function firstIdNumber(table: ImportTable): number | null {
  for (const row of table.rows()) {
    const id = row.success ? row.document['_id'] : undefined;
    return typeof id === 'string'
      ? (decodeDocumentId(id)?.tableNumber ?? null)
      : null;
  }
  return null;
}

async function writeTable(
  store: DocumentStore,
  table: ImportTable,
  progress: ImportProgress,
): Promise<{ success: true; rows: number } | Failure> {
  await progress.progress(`Importing "${table.name}"`);
  const clock = new FallbackClock();
  let batch: { row: number; document: Document | DocumentFields }[] = [];
  let bytes = 0;
  let written = 0;
  const flush = async (): Promise<Failure | null> => {
    const failure = await inTransactions(store, progress, async (tx) => {
      for (const { row, document } of batch) {
        const problem = await insertRow(tx, table.name, document);
        if (problem) return { success: false, error: `Row ${row}: ${problem}` };
      }
      return null;
    });
    if (failure) return failure;
    written += batch.length;
    batch = [];
    bytes = 0;
    await progress.progress(
      `Importing "${table.name}" (${thousands(written)} documents)`,
    );
    return null;
  };
  let row = 0;
  for (const line of table.rows()) {
    if (!line.success) return line;
    row += 1;
    const document = restored(line, clock);
    if (!document.success)
      return { success: false, error: `Row ${row}: ${document.error}` };
    batch.push({ row, document: document.document });
    bytes += getConvexSize(document.document);
    if (batch.length >= BATCH_DOCUMENTS || bytes >= BATCH_BYTES) {
      const failure = await flush();
      if (failure) return failure;
    }
  }
  if (batch.length > 0) {
    const failure = await flush();
    if (failure) return failure;
  }
  await progress.checkpoint(
    `Imported "${table.name}" (${thousands(written)} documents)`,
  );
  return { success: true, rows: written };
}

/** A row as it is written: with its `_id` (and a creation time) kept, or as new fields. */
function restored(
  line: Extract<ImportRow, { success: true }>,
  clock: FallbackClock,
): { success: true; document: Document | DocumentFields } | Failure {
  const { _id: id, _creationTime: creationTime, ...fields } = line.document;
  if (id === undefined) return { success: true, document: fields };
  if (typeof id !== 'string')
    return { success: false, error: `invalid _id ${formatExportJson(id)}` };
  return {
    success: true,
    document: {
      ...fields,
      _id: id,
      _creationTime:
        typeof creationTime === 'number' ? creationTime : clock.next(),
    },
  };
}

async function insertRow(
  tx: Transaction,
  table: string,
  document: Document | DocumentFields,
): Promise<string | null> {
  try {
    if (typeof document['_id'] === 'string')
      await tx.insertWithId(table, document as Document);
    else await tx.insert(table, document);
    return null;
  } catch (error) {
    // The store refuses what Convex refuses (ids, field names, sizes) by throwing.
    return error instanceof Error ? error.message : String(error);
  }
}

async function writeFiles(
  store: DocumentStore,
  files: FileStorage,
  storage: NonNullable<ImportSource['storage']>,
  progress: ImportProgress,
): Promise<{ success: true } | Failure> {
  const metadata = new Map<string, Record<string, unknown>>();
  for (const row of storage.metadata()) {
    if (!row.success) return row;
    const id = row.document['_id'];
    if (typeof id === 'string') metadata.set(id, row.document);
  }
  let done = 0;
  for (const file of storage.files) {
    const about = metadata.get(file.id) ?? {};
    const bytes = file.bytes();
    const contentType = about['contentType'];
    const sha256 = about['sha256'];
    let fields;
    try {
      fields = storedFileFields(
        bytes,
        typeof contentType === 'string' ? contentType : null,
        typeof sha256 === 'string' ? sha256 : undefined,
      );
    } catch (error) {
      return { success: false, error: `${file.id}: ${String(error)}` };
    }
    const creationTime = about['_creationTime'];
    const document = {
      ...fields,
      _id: file.id,
      _creationTime:
        typeof creationTime === 'number' ? creationTime : Date.now(),
    } as Document;
    const failure = await inTransactions(store, progress, async (tx) => {
      const problem = await insertRow(tx, STORAGE_TABLE, document);
      if (problem)
        return {
          success: false,
          error: `_storage entry ${file.id}: ${problem}`,
        };
      await files.write(file.id, bytes);
      return null;
    });
    if (failure) return failure;
    done += 1;
    await progress.progress(
      `Importing "_storage" (${thousands(done)}/${thousands(storage.files.length)} files)`,
    );
  }
  await progress.checkpoint(`Imported "_storage" (${thousands(done)} files)`);
  return { success: true };
}

/** Deletes every document of a table, a page per transaction, and the bytes of stored files. */
async function emptyTable(
  store: DocumentStore,
  table: string,
  progress: ImportProgress,
  files: FileStorage | null,
): Promise<{ success: true } | Failure> {
  for (;;) {
    let removed: string[] = [];
    const failure = await inTransactions(store, progress, async (tx) => {
      if (tx.tableNumber(table) === null) return null;
      const page = await tx.scan({
        table,
        index: 'by_id',
        eq: [],
        order: 'asc',
        limit: PAGE,
      });
      removed = page.documents.map((document) => document._id);
      for (const id of removed) await tx.delete(id);
      return null;
    });
    if (failure) return failure;
    if (files) for (const id of removed) await files.remove(id);
    if (removed.length === 0) return { success: true };
  }
}

/**
 * Runs `work` in a transaction and commits it, again from the start on a
 * conflict; `work` returns a failure to stop with nothing written.
 */
async function inTransactions(
  store: DocumentStore,
  progress: ImportProgress,
  work: (tx: Transaction) => Promise<Failure | null>,
): Promise<Failure | null> {
  for (let attempt = 1; ; attempt++) {
    if (progress.stopped())
      return { success: false, error: 'The server stopped during the import.' };
    const tx = await store.begin();
    const failure = await work(tx);
    if (failure) return failure;
    const committed = await tx.commit();
    if (committed.success) return null;
    if (attempt >= ATTEMPTS)
      return {
        success: false,
        error: `The import kept conflicting with other writes to "${committed.conflict.table}".`,
      };
  }
}

/** Creation times for restored rows that carry none: now, then strictly increasing. */
class FallbackClock {
  #last = 0;

  next(): number {
    this.#last = Math.max(Date.now(), nextUp(this.#last));
    return this.#last;
  }
}
