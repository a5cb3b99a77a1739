/**
 * A PostgreSQL database of its own for one test run, on the machine's
 * server (DATABASE_URL, which CI sets; unreachable means failing, never
 * skipping), dropped on dispose. The store's schema name is fixed, so
 * servers that must not share data need databases of their own.
 */
import { randomBytes } from 'node:crypto';
import { userInfo } from 'node:os';
import pg from 'pg';

/** The server the tests' databases live on. */
export const POSTGRES_URL =
  process.env['DATABASE_URL'] ??
  `postgres://${userInfo().username}@127.0.0.1:5432/test`;

/** How long a closed server's connections may take to go before the database is dropped anyway. */
const DISCONNECT_TIMEOUT_MS = 10_000;

export interface FreshDatabase extends AsyncDisposable {
  url: string;
}

/** `prefix_<random>`, created now. */
export async function freshDatabase(prefix: string): Promise<FreshDatabase> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const admin = async <T>(
    work: (client: pg.Client) => Promise<T>,
  ): Promise<T> => {
    const client = new pg.Client({ connectionString: POSTGRES_URL });
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  };
  await admin((client) => client.query(`CREATE DATABASE ${name}`));
  const url = new URL(POSTGRES_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    [Symbol.asyncDispose]: () =>
      admin(async (client) => {
        // A closed pool's connections finish ending on their own; forcing
        // them out first would make them report an error nobody handles.
        // A killed server's may never go: WITH (FORCE) ends those.
        const deadline = Date.now() + DISCONNECT_TIMEOUT_MS;
        while (Date.now() < deadline) {
          const { rows } = await client.query<{ n: number }>(
            'SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1',
            [name],
          );
          if (rows[0]?.n === 0) break;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      }),
  };
}
