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
  full: { clients: 32, operationsPerClient: 80, keys: 6, subscribers: 8 },
});

interface FreshDatabase extends AsyncDisposable {
  url: string;
}

/** A database of its own for one run, dropped on dispose. */
async function freshDatabase(): Promise<FreshDatabase> {
  const name = `converge_ser_${randomBytes(6).toString('hex')}`;
  const admin = async (sql: string): Promise<void> => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE DATABASE ${name}`);
  const fresh = new URL(url);
  fresh.pathname = `/${name}`;
  return {
    url: fresh.toString(),
    [Symbol.asyncDispose]: () =>
      admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

test(`every result and snapshot on PostgreSQL is explained by one serial order (seed ${seed})`, async () => {
  console.log(
    `serializability on PostgreSQL: seed ${seed} (CONVERGE_SEED=${seed} reruns it)`,
  );
  await using database = await freshDatabase();
  await using server = await startTestServer('registers', {
    databaseUrl: database.url,
  });

  const { history, failures, subscriptionErrors } =
    await runSerializabilityWorkload(server.url, { seed, ...size });
  const { anomalies, checked } = checkSerializability(history);
  const retries = await occRetries(server.url);
  const failed = classifyFailures(failures);

  reportFigures('serializability (PostgreSQL)', {
    seed,
    clients: size.clients,
    committed: checked.committed,
    'failed (OCC retries exhausted)': failed.occ,
    'failed (ended as idle)': failed.idle,
    queries: checked.queries,
    snapshots: checked.snapshots,
    'OCC retries': retries,
    anomalies: anomalies.length,
  });
  expect(describeAnomalies(anomalies)).toBe('');
  expect(subscriptionErrors).toEqual([]);
  expect(failed.other).toEqual([]);
  expect(checked.committed).toBeGreaterThan(checked.failed);
  expect(checked.snapshots).toBeGreaterThanOrEqual(size.subscribers);
  // A dozen clients on five keys, every read a round trip to the database: they conflict.
  expect(retries).toBeGreaterThan(0);
}, 300_000);
