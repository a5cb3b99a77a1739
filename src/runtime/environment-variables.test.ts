import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { openSqliteStore } from '../store/sqlite.ts';
import {
  changeEnvironment,
  sameEnvironment,
  storedEnvironment,
  watchEnvironment,
} from './environment-variables.ts';

async function freshStore() {
  const dir = mkdtempSync(join(tmpdir(), 'converge-env-'));
  const store = await openSqliteStore(join(dir, 'store.sqlite'));
  return {
    store,
    async [Symbol.asyncDispose]() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

describe('environment variables in the store', () => {
  test('changes set, replace and remove variables, and the store keeps them', async () => {
    await using fresh = await freshStore();
    expect(await storedEnvironment(fresh.store)).toEqual({});
    expect(
      await changeEnvironment(fresh.store, [
        { name: 'API_KEY', value: 'one' },
        { name: 'REGION', value: 'eu' },
      ]),
    ).toEqual({
      success: true,
      environment: { API_KEY: 'one', REGION: 'eu' },
    });
    expect(
      await changeEnvironment(fresh.store, [
        { name: 'API_KEY', value: 'two' },
        { name: 'REGION', value: null },
      ]),
    ).toEqual({ success: true, environment: { API_KEY: 'two' } });
    expect(await storedEnvironment(fresh.store)).toEqual({ API_KEY: 'two' });
  });

  test('a bad name or an oversized value refuses the whole change', async () => {
    await using fresh = await freshStore();
    await changeEnvironment(fresh.store, [{ name: 'KEEP', value: 'x' }]);
    expect(
      await changeEnvironment(fresh.store, [
        { name: 'OK', value: 'fine' },
        { name: '1BAD', value: 'x' },
      ]),
    ).toMatchObject({
      success: false,
      error: expect.stringMatching(
        /^Invalid environment variable name "1BAD"/,
      ) as string,
    });
    expect(
      await changeEnvironment(fresh.store, [
        { name: 'BIG', value: 'x'.repeat(8 * 1024 + 1) },
      ]),
    ).toMatchObject({ success: false });
    expect(await storedEnvironment(fresh.store)).toEqual({ KEEP: 'x' });
  });

  test('past 512 variables nothing is written', async () => {
    await using fresh = await freshStore();
    const many = Array.from({ length: 513 }, (_, i) => ({
      name: `V${i}`,
      value: '1',
    }));
    expect(await changeEnvironment(fresh.store, many)).toMatchObject({
      success: false,
    });
    expect(await storedEnvironment(fresh.store)).toEqual({});
  });
});

test('a watcher hears the stored variables after each commit that changed them, and nothing else', async () => {
  await using fresh = await freshStore();
  const seen: Record<string, string>[] = [];
  const stop = watchEnvironment(
    fresh.store,
    (environment) => seen.push(environment),
    (error) => {
      throw error;
    },
  );
  await changeEnvironment(fresh.store, [{ name: 'GREETING', value: 'hi' }]);
  const tx = await fresh.store.begin();
  await tx.insert('unrelated', { x: 1 });
  await tx.commit();
  await changeEnvironment(fresh.store, [{ name: 'GREETING', value: null }]);
  await expect.poll(() => seen.length).toBe(2);
  expect(seen).toEqual([{ GREETING: 'hi' }, {}]);
  stop();
  await changeEnvironment(fresh.store, [{ name: 'LATE', value: 'x' }]);
  await new Promise((resolve) => setTimeout(resolve, 50));
  expect(seen).toHaveLength(2);
});

test('two environments are the same when they hold the same values, in any order', () => {
  expect(sameEnvironment({ A: '1', B: '2' }, { B: '2', A: '1' })).toBe(true);
  expect(sameEnvironment({ A: '1' }, { A: '1', B: '2' })).toBe(false);
  expect(sameEnvironment({ A: '1' }, { A: '2' })).toBe(false);
});
