/**
 * Crash safety on PostgreSQL: the storm of `crash-safety.test.ts` with the
 * server's store in a database of its own, created for the run and dropped
 * after it (the store's schema name is fixed, so runs cannot share one).
 * DATABASE_URL names the server; unreachable means failing, never skipping.
 */
import { expect, test } from 'vitest';
import { freshDatabase } from '../helpers/fresh-database.ts';
import { crashSafety, stormPlan } from './mutation-storm.ts';

test(`acknowledged mutations survive SIGKILL exactly once on PostgreSQL (seed ${stormPlan.seed})`, async () => {
  await using database = await freshDatabase('converge_crash');
  const report = await crashSafety('crash safety (PostgreSQL)', database.url);
  expect(report.anomalies).toEqual([]);
  expect(report.kills).toBe(stormPlan.kills);
  expect(report.acknowledged).toBeGreaterThan(0);
  expect(report.rejected).toBeGreaterThan(0);
}, 900_000);
