/**
 * Serializability, seen through the official client on SQLite: many
 * `ConvexClient`s run seeded mixes of read-modify-write mutations and
 * one-shot queries over a few list-append registers while some keep a
 * subscription on every key; the checker then looks for any anomaly a
 * serial order cannot explain (serializability-checker.ts). On SQLite, the
 * store's one writer, mutations take turns (function-runner.ts), so none
 * is run twice however few the keys; the PostgreSQL twin is where they
 * race and OCC retries are exercised (serializability.pg.test.ts).
 *
 * The seed is printed; CONVERGE_SEED=<n> reruns it.
 */
import { expect, test } from 'vitest';
import { startTestServer } from '../helpers/converge-server.ts';
import { bySize } from './reliability-size.ts';
import {
  type History,
  checkSerializability,
  describeAnomalies,
} from './serializability-checker.ts';
import { runCheckedWorkload } from './serializability-workload.ts';

const seed = Number(process.env['CONVERGE_SEED'] ?? Date.now() % 1_000_000);
const size = bySize({
  ci: { clients: 12, operationsPerClient: 25, keys: 5, subscribers: 4 },
  full: { clients: 32, operationsPerClient: 80, keys: 6, subscribers: 8 },
});

test(
  `every result and snapshot on SQLite is explained by one serial order (seed ${seed})`,
  async () => {
    console.log(
      `serializability on SQLite: seed ${seed} (CONVERGE_SEED=${seed} reruns it)`,
    );
    await using server = await startTestServer('registers');

    const {
      history,
      anomalies,
      checked,
      failed,
      retries,
      subscriptionErrors,
      unreflected,
    } = await runCheckedWorkload('serializability (SQLite)', server.url, {
      seed,
      ...size,
    });
    expect(describeAnomalies(anomalies)).toBe('');
    expect(subscriptionErrors).toEqual([]);
    expect(unreflected).toEqual([]);
    expect(failed.other).toEqual([]);
    expect(checked.committed).toBeGreaterThan(checked.failed);
    expect(checked.snapshots).toBeGreaterThanOrEqual(size.subscribers);
    // The same history with the last append to one key gone from the final state no longer passes.
    const final = history.final ?? {};
    const [key, list] = Object.entries(final).find(
      ([, appended]) => appended.length > 0,
    ) ?? ['k0', []];
    const tampered: History = {
      ...history,
      final: { ...final, [key]: list.slice(0, -1) },
    };
    expect(
      checkSerializability(tampered).anomalies.map(({ kind }) => kind),
    ).toContain('lost-write');
    // A dozen clients on five keys, each mutation waiting on a digest
    // between its reads and writes: they would conflict if run side by side.
    expect(retries).toBe(0);
  },
  bySize({ ci: 300_000, full: 1_800_000 }),
);
