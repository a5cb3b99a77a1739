import type { Value } from 'convex/values';
import { cronJobs, makeFunctionReference } from 'convex/server';
import { describe, expect, test } from 'vitest';
import {
  type BasicRuntime,
  startBasicRuntime,
} from '../../test/helpers/basic-runtime.ts';
import { eventually } from '../../test/helpers/eventually.ts';
import type { CommitEntry } from '../store/store.ts';
import { appConfigOf } from './app-config.ts';
import { CRON_JOBS, cronDeclaration } from './cron-records.ts';
import type { CronJob } from './cron-schedule.ts';
import { FunctionRunner, type QueryOutcome } from './function-runner.ts';
import { scheduleJob, transitionJob } from './scheduled-jobs.ts';
import { Scheduler } from './scheduler.ts';
import { systemTransaction } from './system-transaction.ts';

const ADMIN = { admin: true };
const PATH = '_system/frontend/listCronJobs';
const increment = makeFunctionReference<'mutation'>('counters:increment');
const fails = makeFunctionReference<'mutation'>('scheduling:fails');

/** The basic app with a `crons.ts`, and the jobs the scheduler takes from it. */
function withCrons(
  rt: BasicRuntime,
  declare: (crons: ReturnType<typeof cronJobs>) => void,
): { runner: FunctionRunner; jobs: CronJob[] } {
  const crons = cronJobs();
  declare(crons);
  const loaded = { ...rt.loaded, crons };
  const config = appConfigOf(loaded);
  if (!config.success) throw new Error(config.error);
  return {
    runner: new FunctionRunner(loaded, rt.store),
    jobs: config.config.crons,
  };
}

function listed(outcome: QueryOutcome): Record<string, Value>[] {
  if (!outcome.success) throw new Error(outcome.errorMessage);
  return outcome.value as Record<string, Value>[];
}

function nanosAsDate(ns: Value | undefined): Date {
  return new Date(Number((ns as bigint) / 1_000_000n));
}

function decodedArgs(bytes: Value | undefined): unknown {
  return JSON.parse(new TextDecoder().decode(bytes as ArrayBuffer));
}

describe('the dashboard’s cron jobs', () => {
  test('lists the declared crons by name with their schedules in Convex’s fields; their next runs once the scheduler plans them, and their last runs’ outcomes', async () => {
    await using rt = await startBasicRuntime();
    const { runner, jobs } = withCrons(rt, (crons) => {
      crons.interval('tick', { seconds: 1 }, increment, { name: 'tick' });
      crons.interval('failing', { seconds: 1 }, fails);
      crons.weekly(
        'weekly report',
        { dayOfWeek: 'tuesday', hourUTC: 9, minuteUTC: 30 },
        increment,
        { name: 'weekly' },
      );
      crons.cron('nightly', '0 3 * * *', increment, { name: 'nightly' });
      crons.hourly('hourly', { minuteUTC: 15 }, increment, { name: 'h' });
    });
    const commits: CommitEntry[] = [];
    rt.store.onCommit((entry) => commits.push(entry));

    // Deployed, not yet planned: no next run, no last run.
    const unplanned = await runner.runQuery(PATH, { componentId: null }, ADMIN);
    const before = listed(unplanned);
    expect(before.map((cron) => cron['name'])).toEqual([
      'failing',
      'hourly',
      'nightly',
      'tick',
      'weekly report',
    ]);
    expect(before[3]).toMatchObject({
      name: 'tick',
      cronSpec: {
        udfPath: 'counters:increment',
        cronSchedule: { type: 'interval', seconds: 1n },
      },
      state: { type: 'pending' },
      prevTs: null,
      nextTs: null,
      nextRun: null,
      lastRun: null,
    });
    expect(
      decodedArgs(
        (before[3]?.['cronSpec'] as Record<string, Value>)['udfArgs'],
      ),
    ).toEqual([{ name: 'tick' }]);
    expect(
      before.map(
        (cron) => (cron['cronSpec'] as Record<string, Value>)['cronSchedule'],
      ),
    ).toEqual([
      { type: 'interval', seconds: 1n },
      { type: 'hourly', minuteUTC: 15n },
      { type: 'cron', cronExpr: '0 3 * * *' },
      { type: 'interval', seconds: 1n },
      { type: 'weekly', dayOfWeek: 2n, hourUTC: 9n, minuteUTC: 30n },
    ]);

    const scheduler = new Scheduler(runner, rt.store, { crons: jobs });
    await scheduler.start();
    try {
      // Both interval crons run; each one's last run shows its outcome.
      await eventually(async () => {
        const [failing, , , tick] = listed(
          await runner.runQuery(PATH, {}, ADMIN),
        );
        expect(tick?.['lastRun']).toMatchObject({
          name: 'tick',
          udfPath: 'counters:increment',
          status: { type: 'success' },
        });
        expect(failing?.['lastRun']).toMatchObject({
          name: 'failing',
          udfPath: 'scheduling:fails',
          status: {
            type: 'err',
            error: expect.stringContaining('scheduled failure') as unknown,
          },
        });
      });
    } finally {
      await scheduler.close();
    }
    // The scheduler's first plan reran the listing that found none.
    expect(commits.some((c) => unplanned.readSet.overlaps(c.writes))).toBe(
      true,
    );

    const after = listed(await runner.runQuery(PATH, {}, ADMIN));
    const now = Date.now();
    for (const cron of after) {
      expect(cron['nextRun']).toEqual({
        state: cron['state'],
        prevTs: cron['prevTs'],
        nextTs: cron['nextTs'],
      });
    }
    const [, hourly, nightly, tick, weekly] = after;
    const next = (cron: Record<string, Value> | undefined) =>
      nanosAsDate(cron?.['nextTs'] ?? null);
    expect(next(nightly).toISOString()).toMatch(/T03:00:00\.000Z$/);
    expect(next(hourly).getUTCMinutes()).toBe(15);
    expect(next(weekly).getUTCDay()).toBe(2);
    expect(next(weekly).toISOString()).toMatch(/T09:30:00\.000Z$/);
    for (const cron of [hourly, nightly, weekly])
      expect(next(cron).getTime()).toBeGreaterThan(now - 1000);
    const lastRun = tick?.['lastRun'] as Record<string, Value>;
    expect(nanosAsDate(lastRun['ts']).getTime()).toBeLessThanOrEqual(now);
    expect(decodedArgs(lastRun['udfArgs'])).toEqual([{ name: 'tick' }]);
    expect(tick?.['prevTs']).not.toBe(null);
    expect(nightly?.['lastRun']).toBe(null);
  });

  test('while a run is underway the cron is in progress, and its last run is the one before', async () => {
    await using rt = await startBasicRuntime();
    const { runner, jobs } = withCrons(rt, (crons) =>
      crons.interval('tick', { minutes: 5 }, increment, { name: 'tick' }),
    );
    const [tick] = jobs as [CronJob];
    const at = Date.UTC(2030, 0, 1, 12, 0);
    // As the scheduler leaves things: one run done, the next one started.
    await systemTransaction(rt.store, async (tx) => {
      const done = await scheduleJob(tx, {
        name: tick.name,
        args: { name: 'tick' },
        scheduledTime: at - 300_000,
      });
      await transitionJob(tx, done, 'pending', { kind: 'success' }, at);
      const started = await scheduleJob(tx, {
        name: tick.name,
        args: { name: 'tick' },
        scheduledTime: at,
      });
      await transitionJob(tx, started, 'pending', { kind: 'inProgress' }, at);
      await tx.insert(CRON_JOBS, {
        identifier: 'tick',
        nextRun: at + 300_000,
        declared: cronDeclaration(tick),
        lastJob: started,
        previousJob: done,
      });
    });

    const state = { type: 'inProgress' };
    const prevTs = BigInt(at) * 1_000_000n;
    const nextTs = BigInt(at + 300_000) * 1_000_000n;
    expect(listed(await runner.runQuery(PATH, {}, ADMIN))).toMatchObject([
      {
        name: 'tick',
        cronSpec: { cronSchedule: { type: 'interval', seconds: 300n } },
        state,
        prevTs,
        nextTs,
        nextRun: { state, prevTs, nextTs },
        lastRun: {
          ts: BigInt(at - 300_000) * 1_000_000n,
          status: { type: 'success' },
        },
      },
    ]);
  });

  test('a cron whose declaration changed has no next run until the scheduler plans it anew', async () => {
    await using rt = await startBasicRuntime();
    const { runner } = withCrons(rt, (crons) =>
      crons.interval('tick', { minutes: 5 }, increment, { name: 'new' }),
    );
    await systemTransaction(rt.store, async (tx) => {
      await tx.insert(CRON_JOBS, {
        identifier: 'tick',
        nextRun: Date.now() + 60_000,
        declared: 'as it was before',
      });
    });
    expect(listed(await runner.runQuery(PATH, {}, ADMIN))).toMatchObject([
      { name: 'tick', nextTs: null, nextRun: null, lastRun: null },
    ]);
  });

  test('an app without crons lists none, and only an admin acting as itself reads it', async () => {
    await using rt = await startBasicRuntime();
    expect(await rt.runner.runQuery(PATH, {}, ADMIN)).toMatchObject({
      success: true,
      value: [],
    });
    expect(
      await rt.runner.runQuery(PATH, {}, { fromClient: true }),
    ).toMatchObject({
      success: false,
      errorMessage: 'Operation query not permitted',
    });
  });
});
