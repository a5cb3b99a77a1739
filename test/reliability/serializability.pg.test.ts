/**
 * Serializability on PostgreSQL: the workload of serializability.test.ts
 * against a server whose store is a fresh database (created for the run,
 * dropped after it). PostgreSQL reads really wait on the network, so
 * concurrent mutations interleave at every read, not only at the checksum.
 *
 * The machine's PostgreSQL (trust auth); CI sets DATABASE_URL. Unreachable
 * means failing, never skipping. The seed is printed; CONVERGE_SEED=<n>
 * reruns it.
 */
import { randomBytes } from 'node:crypto';
import { userInfo } from 'node:os';
import pg from 'pg';
import { expect, test } from 'vitest';
import { startTestServer } from '../helpers/converge-server.ts';
import { reportFigures } from './figures.ts';
import { bySize } from './reliability-size.ts';
import {
  checkSerializability,
  describeAnomalies,
} from './serializability-checker.ts';
import {
  classifyFailures,
  occRetries,
  runSerializabilityWorkload,
} from './serializability-workload.ts';

const url =
  process.env['DATABASE_URL'] ??
  `postgres://${userInfo().username}@127.0.0.1:5432/test`;
const seed = Number(process.env['CONVERGE_SEED'] ?? Date.now() % 1_000_000);
const size = bySize({
  ci: { clients: 12, operationsPerClient: 25, keys: 5, subscribers: 4 },
  // Every read is a round trip and conflicts back off, so PostgreSQL's full size is smaller than SQLite's.
  full: { clients: 24, operationsPerClient: 60, keys: 6, subscribers: 8 },
});

/** How long the server's connections may take to go once it has closed. */
const DISCONNECT_TIMEOUT_MS = 10_000;

interface FreshDatabase extends AsyncDisposable {
  url: string;
}

/** A database of its own for one run, dropped on dispose. */
async function freshDatabase(): Promise<FreshDatabase> {
  const name = `converge_ser_${randomBytes(6).toString('hex')}`;
  const admin = async <T>(
    work: (client: pg.Client) => Promise<T>,
  ): Promise<T> => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  };
  await admin((client) => client.query(`CREATE DATABASE ${name}`));
  const fresh = new URL(url);
  fresh.pathname = `/${name}`;
  return {
    url: fresh.toString(),
    [Symbol.asyncDispose]: () =>
      admin(async (client) => {
        // A closed pool's connections finish ending on their own; forcing them out first would make them report an error nobody handles.
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

test(
  `every result and snapshot on PostgreSQL is explained by one serial order (seed ${seed})`,
  async () => {
    console.log(
      `serializability on PostgreSQL: seed ${seed} (CONVERGE_SEED=${seed} reruns it)`,
    );
    await using database = await freshDatabase();
    await using server = await startTestServer('registers', {
      databaseUrl: database.url,
    });

    const { history, failures, subscriptionErrors, unreflected } =
      await runSerializabilityWorkload(server.url, { seed, ...size });
    const { anomalies, checked } = checkSerializability(history);
    const retries = await occRetries(server.url);
    const failed = classifyFailures(failures);

    reportFigures('serializability (PostgreSQL)', {
      seed,
      clients: size.clients,
      committed: checked.committed,
      'failed (OCC retries exhausted)': failed.occ,
      queries: checked.queries,
      snapshots: checked.snapshots,
      'dependency edges': checked.edges,
      'OCC retries': retries,
      anomalies: anomalies.length,
    });
    expect(describeAnomalies(anomalies)).toBe('');
    expect(subscriptionErrors).toEqual([]);
    expect(unreflected).toEqual([]);
    expect(failed.other).toEqual([]);
    expect(checked.committed).toBeGreaterThan(checked.failed);
    expect(checked.snapshots).toBeGreaterThanOrEqual(size.subscribers);
    // A dozen clients on five keys, every read a round trip to the database: they conflict.
    expect(retries).toBeGreaterThan(0);
  },
  bySize({ ci: 300_000, full: 1_800_000 }),
);
