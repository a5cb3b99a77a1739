import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeStoreContract } from '../../test/helpers/store-contract.ts';
import { openSqliteStore } from './sqlite.ts';
import type { DocumentStore } from './store.ts';

describeStoreContract('SQLite', {
  async fresh() {
    const dir = mkdtempSync(join(tmpdir(), 'converge-sqlite-'));
    const path = join(dir, 'store.sqlite');
    let store: DocumentStore = await openSqliteStore(path);
    return {
      get store() {
        return store;
      },
      async reopen() {
        await store.close();
        store = await openSqliteStore(path);
        return store;
      },
      async [Symbol.asyncDispose]() {
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
});
