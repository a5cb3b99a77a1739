import { randomBytes } from 'node:crypto';
import { userInfo } from 'node:os';
import pg from 'pg';
import { describeStoreContract } from '../../test/helpers/store-contract.ts';
import { openPostgresStore } from './postgres.ts';
import type { DocumentStore } from './store.ts';

// The machine's PostgreSQL (trust auth); CI sets DATABASE_URL. Unreachable means failing, never skipping.
const url =
  process.env['DATABASE_URL'] ??
  `postgres://${userInfo().username}@127.0.0.1:5432/test`;

describeStoreContract('PostgreSQL', {
  async fresh() {
    const schema = `converge_test_${randomBytes(6).toString('hex')}`;
    let store: DocumentStore = await openPostgresStore(url, { schema });
    return {
      get store() {
        return store;
      },
      async reopen() {
        await store.close();
        store = await openPostgresStore(url, { schema });
        return store;
      },
      async [Symbol.asyncDispose]() {
        await store.close();
        const client = new pg.Client({ connectionString: url });
        await client.connect();
        await client.query(`DROP SCHEMA ${schema} CASCADE`);
        await client.end();
      },
    };
  },
});
