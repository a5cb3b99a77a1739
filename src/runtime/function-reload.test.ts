/**
 * A FunctionRunner whose code and environment change under it, as in
 * `converge dev`: the same runner, store and data, new functions.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { openSqliteStore } from '../store/sqlite.ts';
import { applySchema } from './apply-schema.ts';
import { FunctionRunner } from './function-runner.ts';
import { type LoadedFunctions, loadFunctions } from './load-functions.ts';

/** A functions directory holding one module, `greetings.ts`, with `source` as its text. */
async function load(
  root: string,
  name: string,
  source: string,
): Promise<LoadedFunctions> {
  const dir = join(root, name);
  mkdirSync(dir);
  writeFileSync(join(dir, 'greetings.ts'), source);
  const loaded = await loadFunctions(dir);
  if (!loaded.success) throw new Error(loaded.error);
  return loaded.loaded;
}

const FIRST = `
import { queryGeneric } from 'convex/server';
export const hello = queryGeneric(async () => 'hello from the first version');
export const gone = queryGeneric(async () => 'only in the first version');
`;

const SECOND = `
import { queryGeneric } from 'convex/server';
export const hello = queryGeneric(async () => 'hello from the second version');
export const greeting = queryGeneric(async () => process.env.GREETING ?? 'unset');
`;

async function scratch() {
  const root = mkdtempSync(join(tmpdir(), 'converge-reload-'));
  const store = await openSqliteStore(join(root, 'store.sqlite'));
  return {
    root,
    store,
    async [Symbol.asyncDispose]() {
      await store.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

test('after replaceFunctions the runner answers with the new code, and the old functions are gone', async () => {
  await using dir = await scratch();
  const first = await load(dir.root, 'first', FIRST);
  await applySchema(dir.store, first.schema);
  const runner = new FunctionRunner(first, dir.store);
  expect(await runner.runQuery('greetings:hello', {})).toMatchObject({
    value: 'hello from the first version',
  });

  runner.replaceFunctions(await load(dir.root, 'second', SECOND));

  expect(await runner.runQuery('greetings:hello', {})).toMatchObject({
    value: 'hello from the second version',
  });
  expect(runner.kindOf('greetings:gone')).toBeNull();
  expect(await runner.runQuery('greetings:gone', {})).toMatchObject({
    success: false,
    errorMessage: expect.stringContaining(
      "Could not find function for 'greetings:gone'",
    ) as string,
  });
});

test('setEnvironment changes what process.env shows to the next call', async () => {
  await using dir = await scratch();
  const runner = new FunctionRunner(
    await load(dir.root, 'second', SECOND),
    dir.store,
    { env: { GREETING: 'from the start' } },
  );
  expect(await runner.runQuery('greetings:greeting', {})).toMatchObject({
    value: 'from the start',
  });

  runner.setEnvironment({ GREETING: 'set at run time' });
  expect(await runner.runQuery('greetings:greeting', {})).toMatchObject({
    value: 'set at run time',
  });

  runner.setEnvironment({});
  expect(await runner.runQuery('greetings:greeting', {})).toMatchObject({
    value: 'unset',
  });
});
