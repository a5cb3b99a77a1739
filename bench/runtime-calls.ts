/**
 * Runtime benchmark: calls per second of a ten-row index query and of a
 * single-insert mutation (test/apps/differential/bench.ts), through
 * FunctionRunner on a SQLite store, next to convex-test running the same
 * functions in the same process.
 *
 * convex-test is a ceiling more than a peer: it keeps documents in a
 * JavaScript map, scans and sorts a table for every query, runs the
 * functions in the host realm and never writes to disk. The ratio
 * Converge/convex-test says what the bundled realm, the syscall boundary,
 * the index encoding and a durable commit cost against that.
 *
 * Each round times both sides back to back, alternating which goes first;
 * the median over rounds is reported. The query runs before the inserts, so
 * the table it reads is the same size on both sides.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeFunctionReference } from 'convex/server';
import type { Value } from 'convex/values';
import { convexTest } from 'convex-test';
import { applySchema } from '../src/runtime/apply-schema.ts';
import { FunctionRunner } from '../src/runtime/function-runner.ts';
import { loadFunctions } from '../src/runtime/load-functions.ts';
import { openSqliteStore } from '../src/store/sqlite.ts';
import schema from '../test/apps/differential/schema.ts';
import { convexTestModules } from '../test/differential/convex-test-modules.ts';
import { type Op, measure, median } from './measure.ts';

export interface RuntimeBenchRow {
  workload: string;
  converge: number;
  convexTest: number;
  ratio: number;
}

/** Rows the query does not match, around the ten it returns. */
const OTHER_ROWS = 1_000;
const QUERY_ROWS = 10;

const appDir = new URL('../test/apps/differential/', import.meta.url).pathname;

export async function benchRuntime(options: {
  durationMs: number;
  rounds: number;
}): Promise<RuntimeBenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), 'converge-bench-runtime-'));
  try {
    const loaded = await loadFunctions(appDir);
    if (!loaded.success) throw new Error(loaded.error);
    const store = await openSqliteStore(join(dir, 'store.sqlite'));
    await applySchema(store, loaded.loaded.schema);
    const runner = new FunctionRunner(loaded.loaded, store);
    const t = convexTest(schema, convexTestModules);

    const converge = {
      query: async (path: string, args: Record<string, Value>) =>
        succeeded(await runner.runQuery(path, args)),
      mutation: async (path: string, args: Record<string, Value>) =>
        succeeded(await runner.runMutation(path, args)),
    };
    const reference = {
      query: async (path: string, args: Record<string, Value>) =>
        (await t.query(makeFunctionReference<'query'>(path), args)) as Value,
      mutation: async (path: string, args: Record<string, Value>) =>
        (await t.mutation(
          makeFunctionReference<'mutation'>(path),
          args,
        )) as Value,
    };

    for (const side of [converge, reference]) {
      for (let i = 0; i < OTHER_ROWS + QUERY_ROWS; i++) {
        const tag = i < QUERY_ROWS ? 'hot' : `cold${i % 7}`;
        await side.mutation('bench:insertItem', { n: i, s: `s${i}`, tag });
      }
    }
    const tenRows = (side: typeof converge) => async () => {
      const rows = await side.query('bench:tenByTag', { tag: 'hot' });
      if (!Array.isArray(rows) || rows.length !== QUERY_ROWS)
        throw new Error(`expected ${QUERY_ROWS} rows`);
      return 1;
    };
    let n = 0;
    const insertOne = (side: typeof converge) => async () => {
      await side.mutation('bench:insertItem', {
        n: n++,
        s: 'inserted',
        tag: 'new',
      });
      return 1;
    };

    const rows = [
      await compare(
        `index query, ${QUERY_ROWS} of ${QUERY_ROWS + OTHER_ROWS} rows`,
        options,
        {
          converge: tenRows(converge),
          convexTest: tenRows(reference),
        },
      ),
      await compare('single-insert mutation', options, {
        converge: insertOne(converge),
        convexTest: insertOne(reference),
      }),
    ];
    await store.close();
    return rows;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function succeeded(
  result:
    { success: true; value: Value } | { success: false; errorMessage: string },
): Value {
  if (!result.success) throw new Error(result.errorMessage);
  return result.value;
}

async function compare(
  workload: string,
  options: { durationMs: number; rounds: number },
  sides: { converge: Op; convexTest: Op },
): Promise<RuntimeBenchRow> {
  await measure(sides.converge, options.durationMs / 4);
  await measure(sides.convexTest, options.durationMs / 4);
  const converge: number[] = [];
  const convexTest: number[] = [];
  for (let round = 0; round < options.rounds; round++) {
    if (round % 2 === 1)
      convexTest.push(await measure(sides.convexTest, options.durationMs));
    converge.push(await measure(sides.converge, options.durationMs));
    if (round % 2 === 0)
      convexTest.push(await measure(sides.convexTest, options.durationMs));
  }
  const c = median(converge);
  const r = median(convexTest);
  return { workload, converge: c, convexTest: r, ratio: c / r };
}
