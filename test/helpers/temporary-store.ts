/**
 * A SQLite store and a file storage directory of their own for one test,
 * removed on dispose (`await using`): what the runtime's snapshot export and
 * import read and write.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileStorage } from '../../src/runtime/file-storage.ts';
import { openSqliteStore } from '../../src/store/sqlite.ts';
import type { DocumentStore } from '../../src/store/store.ts';

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
    files: new FileStorage(join(dir, 'storage')),
    dir,
    async [Symbol.asyncDispose]() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
