/**
 * A SQLite store and a file storage directory of their own for one test,
 * removed on dispose (`await using`): what the runtime's snapshot export and
 * import read and write; and the two things their tests do to a store,
 * inserting rows and reading a table back.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DirectoryFileStorage } from '../../src/store/directory-file-storage.ts';
import type { FileStorage } from '../../src/store/file-storage.ts';
import { openSqliteStore } from '../../src/store/sqlite.ts';
import type { Value } from 'convex/values';
import type { Document, DocumentStore } from '../../src/store/store.ts';

export interface TemporaryStore extends AsyncDisposable {
  store: DocumentStore;
  files: FileStorage;
  /** A directory of the test's own, for anything else it writes. */
  dir: string;
}

export async function temporaryStore(): Promise<TemporaryStore> {
  const dir = mkdtempSync(join(tmpdir(), 'converge-store-'));
  const store = await openSqliteStore(join(dir, 'store.sqlite'));
  return {
    store,
    files: new DirectoryFileStorage(join(dir, 'storage')),
    dir,
    async [Symbol.asyncDispose]() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Inserts the rows in one transaction; their ids, in order. */
export async function insertRows(
  store: DocumentStore,
  table: string,
  rows: readonly Record<string, Value>[],
): Promise<string[]> {
  const tx = await store.begin();
  const ids: string[] = [];
  for (const row of rows) ids.push(await tx.insert(table, row));
  if (!(await tx.commit()).success)
    throw new Error('a setup commit conflicted');
  return ids;
}

/** A table's documents now, oldest first (at most 20,000). */
export async function tableDocuments(
  store: DocumentStore,
  table: string,
  index: 'by_creation_time' | 'by_id' = 'by_creation_time',
): Promise<Document[]> {
  const tx = await store.begin();
  if (tx.tableNumber(table) === null) return [];
  const { documents } = await tx.scan({
    table,
    index,
    eq: [],
    order: 'asc',
    limit: 20_000,
  });
  return documents;
}
