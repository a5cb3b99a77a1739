import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { loadFunctions } from './load-functions.ts';

const basic = new URL('../../test/apps/basic/', import.meta.url).pathname;

test('loadFunctions() registers every export convex/server built, with kind, visibility and validators', async () => {
  const result = await loadFunctions(basic, { nowMs: 1_763_900_000_000 });
  if (!result.success) throw new Error(result.error);
  const { functions } = result.loaded;
  const summary = [...functions.values()]
    .map((f) => [f.path, f.kind, f.visibility])
    .sort();
  // Every kind and visibility, under every spelling of module path.
  expect(summary).toEqual(
    expect.arrayContaining([
      ['counters:get', 'query', 'public'],
      ['counters:increment', 'mutation', 'public'],
      ['dir/nested:shout', 'action', 'public'],
      ['messages:clear', 'mutation', 'internal'],
      ['messages:default', 'query', 'public'],
      ['messages:list', 'query', 'public'],
      ['messages:send', 'mutation', 'public'],
    ]),
  );
  // Non-function exports (messages:loadedAt) are not functions.
  expect(functions.has('messages:loadedAt')).toBe(false);
  expect(functions.get('messages:send')?.args).toEqual({
    type: 'object',
    value: {
      channel: { fieldType: { type: 'string' }, optional: false },
      body: { fieldType: { type: 'string' }, optional: false },
    },
  });
  expect(functions.get('messages:send')?.returns).toEqual({
    type: 'id',
    tableName: 'messages',
  });
  expect(functions.get('messages:clear')?.args).toEqual({ type: 'any' });
  expect(functions.get('messages:list')?.returns).toBeNull();
});

test('loadFunctions() evaluates the schema and runs import-time code with a fixed clock', async () => {
  const result = await loadFunctions(basic, { nowMs: 1_763_900_000_000 });
  if (!result.success) throw new Error(result.error);
  const schema = result.loaded.schema as {
    tables: {
      tableName: string;
      indexes: { indexDescriptor: string; fields: string[] }[];
    }[];
  };
  expect(schema.tables.map((t) => [t.tableName, t.indexes])).toEqual([
    ['messages', [{ indexDescriptor: 'by_channel', fields: ['channel'] }]],
    ['embeddings', []],
    ['counters', [{ indexDescriptor: 'by_name', fields: ['name'] }]],
  ]);
});

test('loadFunctions() reports bundling errors and import-time database access', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'converge-load-'));
  try {
    writeFileSync(join(dir, 'broken.ts'), 'export const x = ;');
    const broken = await loadFunctions(dir);
    expect(broken.success ? '' : broken.error).toMatch(
      /^Bundling failed:\n.*broken\.ts:1: Unexpected ";"/,
    );

    rmSync(join(dir, 'broken.ts'));
    writeFileSync(
      join(dir, 'eager.ts'),
      `export const x = (globalThis as any).Convex.syscall('1.0/queryStream', '{}');`,
    );
    const eager = await loadFunctions(dir);
    expect(eager.success ? '' : eager.error).toMatch(
      /Can't use database at import time/,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('loadFunctions() reports a throw at import with the frames of the directory’s files, none of the bundle’s or the server’s', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'converge-load-'));
  try {
    writeFileSync(
      join(dir, 'helper.ts'),
      `export function explode(what: string): never {\n  throw new Error('exploded ' + what);\n}\n`,
    );
    writeFileSync(
      join(dir, 'broken.ts'),
      `import { explode } from './helper';\nexport const x = 1;\nexplode('at import');\n`,
    );
    const broken = await loadFunctions(dir);
    const error = broken.success ? '' : broken.error;
    expect(error).toBe(
      [
        'Loading the functions failed: Error: exploded at import',
        '    at explode (helper.ts:2:9)',
        '    at broken.ts:3:1',
      ].join('\n'),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
