/**
 * Two processes' schedulers on one PostgreSQL database: each process has a
 * store and a runner of its own, as two `converge serve` would, and they
 * learn of each other's commits only through PostgreSQL. A scheduled job
 * runs once, and a cron run is scheduled once, whichever process gets there.
 * DATABASE_URL names the server; unreachable means failing.
 */
import { expect, test } from 'vitest';
import type { Value } from 'convex/values';
import { openPostgresStore } from '../store/postgres.ts';
import type { DocumentStore } from '../store/store.ts';
import { freshDatabase } from '../../test/helpers/fresh-database.ts';
import { tableDocuments } from '../../test/helpers/temporary-store.ts';
import { applySchema } from './apply-schema.ts';
import type { CronJob } from './cron-schedule.ts';
import { FunctionRunner } from './function-runner.ts';
import { loadFunctions } from './load-functions.ts';
import { Scheduler } from './scheduler.ts';
import { SCHEDULED_FUNCTIONS, scheduleJob } from './scheduled-jobs.ts';
import { systemTransaction } from './system-transaction.ts';
import { eventually } from '../../test/helpers/eventually.ts';

const basic = new URL('../../test/apps/basic/', import.meta.url).pathname;

interface Process {
  store: DocumentStore;
  runner: FunctionRunner;
  scheduler: Scheduler;
}

/**
 * Two processes of the basic app on a fresh database, their schedulers
 * started together with the same crons; `finished` lists the job ids both
 * report, in the order they finish.
 */
async function twoProcesses(crons: readonly CronJob[] = []) {
  const database = await freshDatabase('converge_scheduler');
  const loaded = await loadFunctions(basic);
  if (!loaded.success) throw new Error(loaded.error);
  const finished: string[] = [];
  const open = async (): Promise<Process> => {
    const store = await openPostgresStore(database.url);
    await applySchema(store, loaded.loaded.schema);
    const runner = new FunctionRunner(loaded.loaded, store);
    const scheduler = new Scheduler(runner, store, {
      crons,
      pollMs: 100,
      onJobFinished: (job) => finished.push(job.id),
    });
    return { store, runner, scheduler };
  };
  const a = await open();
  const b = await open();
  const close = async () => {
    await Promise.all([a.scheduler.close(), b.scheduler.close()]);
  };
  return {
    a,
    b,
    finished,
    async start() {
      await Promise.all([a.scheduler.start(), b.scheduler.start()]);
    },
    close,
    async [Symbol.asyncDispose]() {
      await close();
      await a.store.close();
      await b.store.close();
      await database[Symbol.asyncDispose]();
    },
  };
}

async function query(process: Process, path: string, args: Value = {}) {
  const result = await process.runner.runQuery(path, args);
  if (!result.success) throw new Error(result.errorMessage);
  return result.value;
}

test('two processes’ schedulers run thirty scheduled mutations exactly once each', async () => {
  await using processes = await twoProcesses();
  const { a, b } = processes;
  // Scheduled through one process, half before the schedulers start and
  // half while they run, so both find them together.
  const plan = (n: number) =>
    systemTransaction(a.store, async (tx) => {
      for (let i = 0; i < n; i++)
        await scheduleJob(tx, {
          name: 'counters:increment',
          args: { name: 'shared' },
          scheduledTime: Date.now(),
        });
    });
  await plan(15);
  await processes.start();
  await plan(15);

  await eventually(() => expect(processes.finished).toHaveLength(30));
  await processes.close();
  // The last job may have run in the other process: hear it before reading.
  await b.store.catchUp();

  expect(new Set(processes.finished).size).toBe(30);
  expect(await query(b, 'counters:get', { name: 'shared' })).toBe(30);
  const jobs = await tableDocuments(b.store, SCHEDULED_FUNCTIONS);
  expect(jobs.map((job) => job['state'])).toEqual(
    Array.from({ length: 30 }, () => ({ kind: 'success' })),
  );
});

test('a cron both processes declare is scheduled once per run', async () => {
  await using processes = await twoProcesses([
    {
      identifier: 'tick',
      name: 'counters:increment',
      args: { name: 'cron' },
      schedule: { type: 'interval', seconds: 1 },
    },
  ]);
  await processes.start();
  await eventually(async () =>
    expect(
      await query(processes.a, 'counters:get', { name: 'cron' }),
    ).toBeGreaterThanOrEqual(3),
  );
  await processes.close();
  await processes.b.store.catchUp();

  // One job per run, each a whole interval after the one before: a run
  // scheduled by both would show as two jobs at nearly the same time.
  const runs = (await tableDocuments(processes.b.store, SCHEDULED_FUNCTIONS))
    .map((job) => job['scheduledTime'] as number)
    .sort((x, y) => x - y);
  expect(await query(processes.b, 'counters:get', { name: 'cron' })).toBe(
    runs.length,
  );
  for (let i = 1; i < runs.length; i++)
    expect(runs[i]! - runs[i - 1]!).toBeGreaterThanOrEqual(1000);
  expect(await tableDocuments(processes.b.store, '_cron_jobs')).toHaveLength(1);
});
