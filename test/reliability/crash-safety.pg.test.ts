/**
 * Crash safety on PostgreSQL: the storm of `crash-safety.test.ts` with the
 * server's store in a database of its own, created for the run and dropped
 * after it (the store's schema name is fixed, so runs cannot share one).
 * DATABASE_URL names the server; unreachable means failing, never skipping.
 */
import { randomBytes } from 'node:crypto';
import { userInfo } from 'node:os';
import pg from 'pg';
import { expect, test } from 'vitest';
import { crashSafety, stormPlan } from './mutation-storm.ts';

const url =
  process.env['DATABASE_URL'] ??
  `postgres://${userInfo().username}@127.0.0.1:5432/test`;

test(`acknowledged mutations survive SIGKILL exactly once on PostgreSQL (seed ${stormPlan.seed})`, async () => {
  await using database = await freshDatabase(url);
  const report = await crashSafety('crash safety (PostgreSQL)', database.url);
  expect(report.anomalies).toEqual([]);
  expect(report.kills).toBe(stormPlan.kills);
  expect(report.acknowledged).toBeGreaterThan(0);
  expect(report.rejected).toBeGreaterThan(0);
}, 900_000);

/** A database created on the server `serverUrl` names, dropped on dispose. */
async function freshDatabase(
  serverUrl: string,
): Promise<AsyncDisposable & { url: string }> {
  const name = `converge_crash_${randomBytes(6).toString('hex')}`;
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: serverUrl });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    // WITH (FORCE): a killed server's connections may still be open.
    [Symbol.asyncDispose]: () =>
      admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}
