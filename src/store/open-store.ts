/**
 * openStore: the engine the configuration asks for. An unset database URL
 * means the embedded SQLite store in the data directory; a `postgres://` URL
 * means PostgreSQL (DESIGN.md, the configuration table).
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { openPostgresStore } from './postgres.ts';
import { openSqliteStore } from './sqlite.ts';
import type { DocumentStore } from './store.ts';

export interface OpenedStore {
  store: DocumentStore;
  /** For the startup banner and the health endpoint; never includes a password. */
  description: string;
}

/** The SQLite file inside the data directory. */
export const SQLITE_FILE = 'converge.sqlite';

export async function openStore(options: {
  dataDir: string;
  databaseUrl: string | undefined;
}): Promise<OpenedStore> {
  if (options.databaseUrl) {
    const url = new URL(options.databaseUrl);
    const store = await openPostgresStore(options.databaseUrl);
    return { store, description: `PostgreSQL at ${url.host}${url.pathname}` };
  }
  await mkdir(options.dataDir, { recursive: true });
  const path = join(options.dataDir, SQLITE_FILE);
  return {
    store: await openSqliteStore(path),
    description: `SQLite at ${path}`,
  };
}
