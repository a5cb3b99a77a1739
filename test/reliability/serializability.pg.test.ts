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
import { expect, test } from 'vitest';
import { startTestServer } from '../helpers/converge-server.ts';
import { freshDatabase } from '../helpers/fresh-database.ts';
import { bySize } from './reliability-size.ts';
import { describeAnomalies } from './serializability-checker.ts';
import { runCheckedWorkload } from './serializability-workload.ts';

const seed = Number(process.env['CONVERGE_SEED'] ?? Date.now() % 1_000_000);
const size = bySize({
  ci: { clients: 12, operationsPerClient: 25, keys: 5, subscribers: 4 },
  // Every read is a round trip and conflicts back off, so PostgreSQL's full size is smaller than SQLite's.
  full: { clients: 24, operationsPerClient: 60, keys: 6, subscribers: 8 },
});

test(
  `every result and snapshot on PostgreSQL is explained by one serial order (seed ${seed})`,
  async () => {
    console.log(
      `serializability on PostgreSQL: seed ${seed} (CONVERGE_SEED=${seed} reruns it)`,
    );
    await using database = await freshDatabase('converge_ser');
    await using server = await startTestServer('registers', {
      databaseUrl: database.url,
    });

    const {
      anomalies,
      checked,
      failed,
      retries,
      subscriptionErrors,
      unreflected,
    } = await runCheckedWorkload('serializability (PostgreSQL)', server.url, {
      seed,
      ...size,
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
