/**
 * Pushed module sources kept by content: written once, read back whole,
 * however many documents a large module takes.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { openSqliteStore } from '../store/sqlite.ts';
import { applySchema } from './apply-schema.ts';
import { MODULE_SOURCES, readModules, saveModules } from './stored-modules.ts';

async function scratch() {
  const root = mkdtempSync(join(tmpdir(), 'converge-modules-'));
  const store = await openSqliteStore(join(root, 'store.sqlite'));
  await applySchema(store, null);
  return {
    store,
    async count(): Promise<number> {
      const tx = await store.begin();
      const { documents } = await tx.scan({
        table: MODULE_SOURCES,
        index: 'by_creation_time',
        eq: [],
        order: 'asc',
        limit: 10_000,
      });
      return documents.length;
    },
    async [Symbol.asyncDispose]() {
      await store.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

test('a module is stored under the hash the CLI computes and read back whole', async () => {
  await using s = await scratch();
  const module = { source: 'export const a = 1;', sourceMap: '{"version":3}' };
  const [hash] = await saveModules(s.store, [module]);
  // SHA-256 of the source followed by the source map, in lowercase hex.
  expect(hash).toBe(
    createHash('sha256')
      .update('export const a = 1;{"version":3}')
      .digest('hex'),
  );
  expect(hash).toMatch(/^[0-9a-f]{64}$/);
  const read = await readModules(s.store, [hash as string]);
  expect(read?.get(hash as string)).toEqual(module);
});

test('a module larger than a document is split into parts, and one sent twice is stored once', async () => {
  await using s = await scratch();
  // 600 Ki UTF-16 units of three-byte characters: nearly 2 MiB of UTF-8.
  const big = { source: '€'.repeat(600 * 1024), sourceMap: 'map' };
  const small = { source: 'export {};' };
  const hashes = await saveModules(s.store, [big, small, big]);
  expect(await s.count()).toBe(3 + 1);
  await saveModules(s.store, [small]);
  expect(await s.count()).toBe(4);
  const read = await readModules(s.store, hashes);
  expect(read?.get(hashes[0] as string)).toEqual(big);
  expect(read?.get(hashes[1] as string)).toEqual(small);
});

test('asking for a hash that is not stored finds nothing rather than part of a push', async () => {
  await using s = await scratch();
  const [hash] = await saveModules(s.store, [{ source: 'export {};' }]);
  expect(
    await readModules(s.store, [hash as string, 'f'.repeat(64)]),
  ).toBeNull();
});
