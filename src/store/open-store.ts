/**
 * openStore: the engine the configuration asks for, and the file storage it
 * implies. An unset database URL means the embedded SQLite store in the
 * data directory, with stored files in its `storage/`; a `postgres://` URL
 * means PostgreSQL (DESIGN.md, the configuration table), with stored files
 * in the same database, so every process sharing it sees them.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { DirectoryFileStorage } from './directory-file-storage.ts';
import type { FileStorage } from './file-storage.ts';
import { openPostgresFileStorage } from './postgres-file-storage.ts';
import { openPostgresStore } from './postgres.ts';
import { openSqliteStore } from './sqlite.ts';
import type { DocumentStore } from './store.ts';

export interface OpenedStore {
  store: DocumentStore;
  /** Where the bytes of stored files live. */
  files: FileStorage;
  /** For the startup banner and the health endpoint; never includes a password. */
  description: string;
  /** Closes the store and the file storage. */
  close(): Promise<void>;
}

/** The SQLite file inside the data directory. */
export const SQLITE_FILE = 'converge.sqlite';
/** The directory of stored files inside the data directory, on SQLite. */
export const STORAGE_DIR = 'storage';
/** The PostgreSQL schema of the store's tables and of stored files. */
export const POSTGRES_SCHEMA = 'converge';

export async function openStore(options: {
  dataDir: string;
  databaseUrl: string | undefined;
}): Promise<OpenedStore> {
  if (options.databaseUrl) {
    const url = new URL(options.databaseUrl);
    const store = await openPostgresStore(options.databaseUrl, {
      schema: POSTGRES_SCHEMA,
    });
    const files = await openPostgresFileStorage(
      options.databaseUrl,
      POSTGRES_SCHEMA,
    ).catch(async (error: unknown) => {
      await store.close();
      throw error;
    });
    return {
      store,
      files,
      description: `PostgreSQL at ${url.host}${url.pathname}`,
      async close() {
        await store.close();
        await files.close();
      },
    };
  }
  await mkdir(options.dataDir, { recursive: true });
  const path = join(options.dataDir, SQLITE_FILE);
  const store = await openSqliteStore(path);
  return {
    store,
    files: new DirectoryFileStorage(join(options.dataDir, STORAGE_DIR)),
    description: `SQLite at ${path}`,
    close: () => store.close(),
  };
}
