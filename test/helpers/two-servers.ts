/**
 * Two Converge servers over one app on one fresh PostgreSQL database, each
 * with a data directory of its own: two processes of a deployment behind a
 * load balancer, as the tests of issue 10 need them. Everything, database
 * included, is gone on dispose.
 */
import {
  type TestServer,
  startTestServer,
  temporaryDataDir,
} from './converge-server.ts';
import { freshDatabase } from './fresh-database.ts';

export interface TwoServers extends AsyncDisposable {
  a: TestServer;
  b: TestServer;
}

export async function twoServers(app: string): Promise<TwoServers> {
  const database = await freshDatabase('converge_processes');
  const dataA = temporaryDataDir();
  const dataB = temporaryDataDir();
  const on = (path: string) => ({ data: path, databaseUrl: database.url });
  const a = await startTestServer(app, on(dataA.path));
  const b = await startTestServer(app, on(dataB.path));
  return {
    a,
    b,
    async [Symbol.asyncDispose]() {
      await b.close();
      await a.close();
      await dataB[Symbol.asyncDispose]();
      await dataA[Symbol.asyncDispose]();
      await database[Symbol.asyncDispose]();
    },
  };
}
