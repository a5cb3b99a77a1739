/**
 * The runtime over test/apps/basic: its functions loaded, its schema applied
 * to a fresh SQLite store in a temporary directory, removed on dispose.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applySchema } from '../../src/runtime/apply-schema.ts';
import { FunctionRunner } from '../../src/runtime/function-runner.ts';
import { loadFunctions } from '../../src/runtime/load-functions.ts';
import { openSqliteStore } from '../../src/store/sqlite.ts';
import type { DocumentStore } from '../../src/store/store.ts';

const basic = new URL('../apps/basic/', import.meta.url).pathname;

export interface BasicRuntime extends AsyncDisposable {
  runner: FunctionRunner;
  store: DocumentStore;
}

export async function startBasicRuntime(): Promise<BasicRuntime> {
  const dir = mkdtempSync(join(tmpdir(), 'converge-runtime-'));
  const store = await openSqliteStore(join(dir, 'store.sqlite'));
  const loaded = await loadFunctions(basic);
  if (!loaded.success) throw new Error(loaded.error);
  await applySchema(store, loaded.loaded.schema);
  return {
    runner: new FunctionRunner(loaded.loaded, store),
    store,
    async [Symbol.asyncDispose]() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
