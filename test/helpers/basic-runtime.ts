/**
 * The runtime over test/apps/basic: its functions loaded, its schema applied
 * to a fresh SQLite store in a temporary directory with file storage beside
 * it, all removed on dispose.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applySchema } from '../../src/runtime/apply-schema.ts';
import { DirectoryFileStorage } from '../../src/store/directory-file-storage.ts';
import { FunctionRunner } from '../../src/runtime/function-runner.ts';
import { StoredFiles } from '../../src/runtime/stored-files.ts';
import {
  type LoadedFunctions,
  loadFunctions,
} from '../../src/runtime/load-functions.ts';
import { openSqliteStore } from '../../src/store/sqlite.ts';
import type { DocumentStore } from '../../src/store/store.ts';

const basic = new URL('../apps/basic/', import.meta.url).pathname;
/** The deployment URL file URLs of the basic runtime start with. */
export const BASIC_ORIGIN = 'http://127.0.0.1:3210';

export interface BasicRuntime extends AsyncDisposable {
  runner: FunctionRunner;
  store: DocumentStore;
  /** What the storage routes serve from the same files the runner keeps. */
  files: StoredFiles;
  /** The app's code, for a test that builds a runner of its own. */
  loaded: LoadedFunctions;
}

export async function startBasicRuntime(): Promise<BasicRuntime> {
  const dir = mkdtempSync(join(tmpdir(), 'converge-runtime-'));
  const store = await openSqliteStore(join(dir, 'store.sqlite'));
  const loaded = await loadFunctions(basic);
  if (!loaded.success) throw new Error(loaded.error);
  await applySchema(store, loaded.loaded.schema);
  const files = {
    files: new DirectoryFileStorage(join(dir, 'storage')),
    origin: BASIC_ORIGIN,
    secret: randomBytes(32),
  };
  return {
    runner: new FunctionRunner(loaded.loaded, store, { files }),
    store,
    files: new StoredFiles(store, files),
    loaded: loaded.loaded,
    async [Symbol.asyncDispose]() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
