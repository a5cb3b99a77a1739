/**
 * The two implementations a differential run compares, behind one shape:
 * Converge (the function runner over a fresh SQLite store) and convex-test
 * (an independent in-memory implementation of Convex's semantics). A call's
 * outcome is a value on both; convex-test's throws become failures.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeFunctionReference } from 'convex/server';
import type { Value } from 'convex/values';
import { convexTest } from 'convex-test';
import { applySchema } from '../../src/runtime/apply-schema.ts';
import { FunctionRunner } from '../../src/runtime/function-runner.ts';
import {
  type LoadedFunctions,
  loadFunctions,
} from '../../src/runtime/load-functions.ts';
import { openSqliteStore } from '../../src/store/sqlite.ts';
import schema from '../apps/differential/schema.ts';
import { convexTestModules } from './convex-test-modules.ts';

export type Outcome =
  { success: true; value: Value } | { success: false; errorMessage: string };

export interface Backend extends AsyncDisposable {
  readonly name: 'converge' | 'convex-test';
  query(path: string, args: Record<string, Value>): Promise<Outcome>;
  mutation(path: string, args: Record<string, Value>): Promise<Outcome>;
}

const appDir = new URL('../apps/differential/', import.meta.url).pathname;

/** Bundles and loads the app once; every Converge backend runs it over its own store. */
export async function loadDifferentialApp(): Promise<LoadedFunctions> {
  const loaded = await loadFunctions(appDir);
  if (!loaded.success) throw new Error(loaded.error);
  return loaded.loaded;
}

export async function startConverge(app: LoadedFunctions): Promise<Backend> {
  const dir = mkdtempSync(join(tmpdir(), 'converge-differential-'));
  const store = await openSqliteStore(join(dir, 'store.sqlite'));
  await applySchema(store, app.schema);
  const runner = new FunctionRunner(app, store);
  return {
    name: 'converge',
    query: async (path, args) => outcome(await runner.runQuery(path, args)),
    mutation: async (path, args) =>
      outcome(await runner.runMutation(path, args)),
    async [Symbol.asyncDispose]() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function startConvexTest(): Backend {
  const t = convexTest(schema, convexTestModules);
  const call = async (run: () => Promise<unknown>): Promise<Outcome> => {
    try {
      return { success: true, value: (await run()) as Value };
    } catch (error) {
      return { success: false, errorMessage: String(error) };
    }
  };
  return {
    name: 'convex-test',
    query: (path, args) =>
      call(() => t.query(makeFunctionReference<'query'>(path), args)),
    mutation: (path, args) =>
      call(() => t.mutation(makeFunctionReference<'mutation'>(path), args)),
    async [Symbol.asyncDispose]() {},
  };
}

function outcome(
  result:
    { success: true; value: Value } | { success: false; errorMessage: string },
): Outcome {
  return result.success
    ? { success: true, value: result.value }
    : { success: false, errorMessage: result.errorMessage };
}
