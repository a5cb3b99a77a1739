import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { SQLITE_FILE, STORAGE_DIR, openStore } from './open-store.ts';

const postgresUrl =
  process.env['DATABASE_URL'] ??
  `postgres://${userInfo().username}@127.0.0.1:5432/test`;

test('openStore() opens SQLite in the data directory when no database URL is set, with stored files beside it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'converge-open-'));
  try {
    const dataDir = join(dir, 'nested', '.converge');
    const opened = await openStore({ dataDir, databaseUrl: undefined });
    await opened.files.write('kfile', new TextEncoder().encode('on disk'));
    await opened.close();
    expect(opened.description).toBe(`SQLite at ${join(dataDir, SQLITE_FILE)}`);
    expect(existsSync(join(dataDir, SQLITE_FILE))).toBe(true);
    expect(existsSync(join(dataDir, STORAGE_DIR, 'kfile'))).toBe(true);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('openStore() opens PostgreSQL for a postgres:// URL, without showing a password', async () => {
  const url = new URL(postgresUrl);
  url.password = 'not-used-with-trust-auth';
  const opened = await openStore({
    dataDir: 'unused',
    databaseUrl: url.toString(),
  });
  await opened.close();
  expect(opened.description).toBe(`PostgreSQL at ${url.host}${url.pathname}`);
  expect(opened.description).not.toContain('not-used');
});

test('openStore() keeps stored files in PostgreSQL, where a process with another data directory reads them', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'converge-open-'));
  const on = (name: string) => ({
    dataDir: join(dir, name),
    databaseUrl: postgresUrl,
  });
  const first = await openStore(on('first'));
  const second = await openStore(on('second'));
  try {
    const id = `k${randomBytes(12).toString('hex')}`;
    await first.files.write(id, new TextEncoder().encode('in the database'));

    expect((await second.files.read(id))?.toString()).toBe('in the database');
    await second.files.remove(id);
    // Neither data directory was needed.
    expect(existsSync(join(dir, 'first'))).toBe(false);
  } finally {
    await second.close();
    await first.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
