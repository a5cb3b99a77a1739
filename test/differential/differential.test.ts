/**
 * Differential runs: seeded random sequences of writes and reads over
 * test/apps/differential, run step by step on Converge and on convex-test,
 * which must agree at every step: both succeed with the same result (ids and
 * creation times compared through each side's insert order), or both fail.
 *
 * DIFFERENTIAL_RUNS=n runs n seeds (default 12, about 4 s), from
 * DIFFERENTIAL_SEED (default 1); DIFFERENTIAL_STEPS sets the operations per
 * run (default 150). A failure names its seed and step: rerun it with
 * DIFFERENTIAL_SEED=<seed> DIFFERENTIAL_RUNS=1. The runs include writes that
 * break the schema, which both must refuse.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { convexToJson } from 'convex/values';
import type { LoadedFunctions } from '../../src/runtime/load-functions.ts';
import { type Observed, applyOperation } from './apply-operation.ts';
import {
  loadDifferentialApp,
  startConverge,
  startConvexTest,
} from './backends.ts';
import { IdLedger } from './id-ledger.ts';
import { type Operation, generateOperations } from './operations.ts';

const runs = Number(process.env['DIFFERENTIAL_RUNS'] ?? 12);
const firstSeed = Number(process.env['DIFFERENTIAL_SEED'] ?? 1);
const steps = Number(process.env['DIFFERENTIAL_STEPS'] ?? 150);
const seeds = Array.from({ length: runs }, (_, i) => firstSeed + i);

let app: LoadedFunctions;
beforeAll(async () => {
  app = await loadDifferentialApp();
});

describe('Converge and convex-test agree', () => {
  test.each(seeds)(`seed %i, ${steps} operations`, async (seed) => {
    const operations = generateOperations(seed, steps, { invalidWrites: true });
    await using converge = await startConverge(app);
    await using reference = startConvexTest();
    const ours = new IdLedger();
    const theirs = new IdLedger();
    for (const [step, op] of operations.entries()) {
      const got = await applyOperation(converge, ours, op);
      const expected = await applyOperation(reference, theirs, op);
      expect(comparable(got), explain(seed, step, op, got, expected)).toEqual(
        comparable(expected),
      );
    }
  });
});

/** What must agree: success, and the normalised value of a success. */
function comparable(observed: Observed): unknown {
  return observed.success ? observed : { success: false };
}

function explain(
  seed: number,
  step: number,
  op: Operation,
  got: Observed,
  expected: Observed,
): string {
  const show = (o: Observed) =>
    o.success ? JSON.stringify(o.value) : `failed: ${o.errorMessage}`;
  return [
    `seed ${seed}, step ${step}: ${JSON.stringify(convexToJson(op as never))}`,
    `  Converge:    ${show(got)}`,
    `  convex-test: ${show(expected)}`,
  ].join('\n');
}
