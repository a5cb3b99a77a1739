/**
 * Crash safety on SQLite: official clients append to the ledger while the
 * server is killed with SIGKILL at seeded moments and restarted over the
 * same data directory (the storm is `mutation-storm.ts`). Every
 * acknowledged append must be there exactly once, no rejected one at all,
 * and every client must come back with live subscriptions.
 */
import { expect, test } from 'vitest';
import { crashSafety, stormPlan } from './mutation-storm.ts';

test(`acknowledged mutations survive SIGKILL exactly once on SQLite (seed ${stormPlan.seed})`, async () => {
  const report = await crashSafety('crash safety (SQLite)');
  expect(report.anomalies).toEqual([]);
  expect(report.kills).toBe(stormPlan.kills);
  expect(report.acknowledged).toBeGreaterThan(0);
  expect(report.rejected).toBeGreaterThan(0);
}, 900_000);
