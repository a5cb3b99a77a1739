import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { SQLITE_FILE, openStore } from './open-store.ts';

test('openStore() opens SQLite in the data directory when no database URL is set', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'converge-open-'));
  try {
    const dataDir = join(dir, 'nested', '.converge');
    const { store, description } = await openStore({
      dataDir,
      databaseUrl: undefined,
    });
    await store.close();
    expect(description).toBe(`SQLite at ${join(dataDir, SQLITE_FILE)}`);
    expect(existsSync(join(dataDir, SQLITE_FILE))).toBe(true);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('openStore() opens PostgreSQL for a postgres:// URL, without showing a password', async () => {
  const base =
    process.env['DATABASE_URL'] ??
    `postgres://${userInfo().username}@127.0.0.1:5432/test`;
  const url = new URL(base);
  url.password = 'not-used-with-trust-auth';
  const { store, description } = await openStore({
    dataDir: 'unused',
    databaseUrl: url.toString(),
  });
  await store.close();
  expect(description).toBe(`PostgreSQL at ${url.host}${url.pathname}`);
  expect(description).not.toContain('not-used');
});
