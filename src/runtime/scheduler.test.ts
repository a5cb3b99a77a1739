import { describe, expect, test } from 'vitest';
import type { Value } from 'convex/values';
import {
  type BasicRuntime,
  startBasicRuntime,
} from '../../test/helpers/basic-runtime.ts';
import { Scheduler } from './scheduler.ts';
import { SCHEDULED_FUNCTIONS, transitionJob } from './scheduled-jobs.ts';
import { systemTransaction } from './system-transaction.ts';
import { eventually } from '../../test/helpers/eventually.ts';

async function value(rt: BasicRuntime, path: string, args: Value = {}) {
  const result = await rt.runner.runQuery(path, args);
  if (!result.success) throw new Error(result.errorMessage);
  return result.value;
}

async function withScheduler(
  rt: BasicRuntime,
  options: ConstructorParameters<typeof Scheduler>[2] = {},
) {
  const scheduler = new Scheduler(rt.runner, rt.store, options);
  await scheduler.start();
  return {
    scheduler,
    async [Symbol.asyncDispose]() {
      await scheduler.close();
    },
  };
}

describe('the scheduler', () => {
  test('runs what a mutation scheduled, skips what it canceled, and runs actions that schedule more', async () => {
    await using rt = await startBasicRuntime();
    await using _ = await withScheduler(rt);
    const planned = await rt.runner.runMutation('scheduling:plan', {
      name: 'n',
    });
    expect(planned.success).toBe(true);

    await eventually(async () => {
      expect(await value(rt, 'counters:get', { name: 'n' })).toBe(1);
      expect(await value(rt, 'counters:get', { name: 'n from action' })).toBe(
        -1,
      );
    });
    await eventually(async () =>
      expect(await value(rt, 'scheduling:jobs')).toEqual([
        { name: 'counters:increment', state: 'success' },
        { name: 'counters:increment', state: 'canceled' },
        { name: 'scheduling:fromAction', state: 'success' },
        { name: 'scheduling:record', state: 'success' },
      ]),
    );
  });

  test('a job exists only if the mutation that scheduled it committed', async () => {
    await using rt = await startBasicRuntime();
    expect(
      await rt.runner.runMutation('scheduling:planThenFail', {}),
    ).toMatchObject({ success: false });
    expect(await value(rt, 'scheduling:jobs')).toEqual([]);
  });

  test('scheduling a function that does not exist is the caller’s error', async () => {
    await using rt = await startBasicRuntime();
    expect(
      await rt.runner.runMutation('scheduling:planMissing', {}),
    ).toMatchObject({
      success: false,
      errorMessage:
        'Uncaught Error: Attempted to schedule function at nonexistent path: nowhere:fn',
    });
  });

  test('a scheduled mutation that throws is marked failed and its writes are dropped', async () => {
    await using rt = await startBasicRuntime();
    await using _ = await withScheduler(rt);
    const planned = await rt.runner.runMutation('scheduling:planFailure', {});
    if (!planned.success) throw new Error(planned.errorMessage);
    await eventually(async () =>
      expect(
        await value(rt, 'scheduling:job', { id: planned.value }),
      ).toMatchObject({
        name: 'scheduling:fails',
        state: {
          kind: 'failed',
          error: 'Uncaught Error: scheduled failure',
        },
        completedTime: expect.any(Number) as number,
      }),
    );
    expect(await value(rt, 'counters:get', { name: 'never' })).toBe(0);
  });

  test('twenty jobs incrementing one counter run exactly once each', async () => {
    await using rt = await startBasicRuntime();
    for (let i = 0; i < 20; i++)
      await rt.runner.runMutation('scheduling:plan', { name: 'many' });
    // Started only now: the jobs were kept in the store, not in memory.
    await using _ = await withScheduler(rt, { maxConcurrent: 8 });
    await eventually(async () => {
      expect(await value(rt, 'counters:get', { name: 'many' })).toBe(20);
      const states = (
        (await value(rt, 'scheduling:jobs')) as { state: string }[]
      ).map((job) => job.state);
      expect(states.filter((s) => s === 'success')).toHaveLength(60);
    });
    expect(await value(rt, 'counters:get', { name: 'many' })).toBe(20);
  });

  test('an action cut off by a crash is marked failed when a scheduler starts', async () => {
    await using rt = await startBasicRuntime();
    const planned = await rt.runner.runMutation('scheduling:plan', {
      name: 'crash',
    });
    if (!planned.success) throw new Error(planned.errorMessage);
    const { action } = planned.value as { action: string };
    // As if a scheduler had claimed the action and its process died.
    await systemTransaction(rt.store, (tx) =>
      transitionJob(tx, action, 'pending', { kind: 'inProgress' }, Date.now()),
    );
    await using _ = await withScheduler(rt);
    await eventually(async () =>
      expect(await value(rt, 'scheduling:job', { id: action })).toMatchObject({
        state: {
          kind: 'failed',
          error: 'Transient error while executing action',
        },
      }),
    );
    expect(await value(rt, 'counters:get', { name: 'crash from action' })).toBe(
      0,
    );
  });

  test('a cron job runs when its interval has passed, and its next run is kept', async () => {
    await using rt = await startBasicRuntime();
    await using _ = await withScheduler(rt, {
      crons: [
        {
          identifier: 'tick',
          name: 'counters:increment',
          args: { name: 'cron' },
          schedule: { type: 'interval', seconds: 1 },
        },
      ],
    });
    expect(await value(rt, 'counters:get', { name: 'cron' })).toBe(0);
    await eventually(async () =>
      expect(await value(rt, 'counters:get', { name: 'cron' })).toBe(1),
    );
    const tx = await rt.store.begin();
    expect(tx.tableNumber('_cron_jobs')).not.toBeNull();
    expect(tx.tableNumber(SCHEDULED_FUNCTIONS)).not.toBeNull();
  });

  test('a cron’s arguments, kept as Convex JSON by cronJobs(), reach its job as values', async () => {
    await using rt = await startBasicRuntime();
    await using _ = await withScheduler(rt, {
      crons: [
        {
          identifier: 'big',
          name: 'counters:increment',
          // What `crons.interval(…, { name: 'cron', n: 5n })` stores.
          args: { name: 'cron', n: { $integer: 'BQAAAAAAAAA=' } },
          schedule: { type: 'interval', seconds: 1 },
        },
      ],
    });
    await eventually(async () => {
      const tx = await rt.store.begin();
      const { documents } = await tx.scan({
        table: SCHEDULED_FUNCTIONS,
        index: 'by_id',
        eq: [],
        order: 'asc',
        limit: 1,
      });
      expect(documents[0]?.['args']).toEqual([{ name: 'cron', n: 5n }]);
    });
  });

  test('replaced crons take effect at once: the removed one is dropped, the new one runs', async () => {
    await using rt = await startBasicRuntime();
    const every = (seconds: number) => ({ type: 'interval' as const, seconds });
    await using running = await withScheduler(rt, {
      crons: [
        {
          identifier: 'old',
          name: 'counters:increment',
          args: { name: 'old' },
          schedule: every(3600),
        },
      ],
    });
    const identifiers = async () => {
      const tx = await rt.store.begin();
      const { documents } = await tx.scan({
        table: '_cron_jobs',
        index: 'by_creation_time',
        eq: [],
        order: 'asc',
        limit: 10,
      });
      return documents.map((d) => d['identifier']);
    };
    await eventually(async () => expect(await identifiers()).toEqual(['old']));

    // The code is reloaded with a different crons.ts.
    running.scheduler.replaceCrons([
      {
        identifier: 'new',
        name: 'counters:increment',
        args: { name: 'new' },
        schedule: every(1),
      },
    ]);
    await eventually(async () =>
      expect(await value(rt, 'counters:get', { name: 'new' })).toBe(1),
    );
    expect(await identifiers()).toEqual(['new']);
    expect(await value(rt, 'counters:get', { name: 'old' })).toBe(0);

    // Removing every cron drops their records too.
    running.scheduler.replaceCrons([]);
    await eventually(async () => expect(await identifiers()).toEqual([]));
  });

  test('a store that fails for a while is reported, and the jobs run once it is back', async () => {
    await using rt = await startBasicRuntime();
    let failures = 0;
    const flaky = new Proxy(rt.store, {
      get(target, property, receiver) {
        if (property === 'begin' && failures > 0)
          return () => {
            failures--;
            return Promise.reject(new Error('the database is away'));
          };
        const value: unknown = Reflect.get(target, property, receiver);
        return typeof value === 'function'
          ? (value as (...args: unknown[]) => unknown).bind(target)
          : value;
      },
    });
    const reported: string[] = [];
    const scheduler = new Scheduler(rt.runner, flaky, {
      pollMs: 20,
      onError: (error) => reported.push(String(error)),
    });
    await scheduler.start();
    // The database is away for the scheduler's next three reads.
    failures = 3;
    await rt.runner.runMutation('scheduling:plan', { name: 'away' });
    await eventually(async () =>
      expect(await value(rt, 'counters:get', { name: 'away' })).toBe(1),
    );
    await scheduler.close();
    expect(reported.length).toBeGreaterThan(0);
    expect(reported.every((r) => r.includes('the database is away'))).toBe(
      true,
    );
  });
});
