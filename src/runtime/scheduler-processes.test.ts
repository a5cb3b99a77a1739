/**
 * Several schedulers on one store, as the processes of one deployment run
 * them: a job runs once whoever finds it, and an action is failed by the
 * others only when the scheduler running it stops renewing its lease.
 */
import { describe, expect, test } from 'vitest';
import type { Value } from 'convex/values';
import type { DocumentStore } from '../store/store.ts';
import { startBasicRuntime } from '../../test/helpers/basic-runtime.ts';
import {
  tableDocuments,
  temporaryStore,
} from '../../test/helpers/temporary-store.ts';
import { applySchema } from './apply-schema.ts';
import type { FunctionResult } from './function-result.ts';
import { JOB_LEASES, TRANSIENT_ACTION_ERROR } from './job-leases.ts';
import {
  type JobRunner,
  Scheduler,
  type SchedulerOptions,
} from './scheduler.ts';
import {
  SCHEDULED_FUNCTIONS,
  scheduleJob,
  transitionJob,
} from './scheduled-jobs.ts';
import { systemTransaction } from './system-transaction.ts';
import { writeConflictMessage } from './write-conflict.ts';
import { eventually } from '../../test/helpers/eventually.ts';

const DONE: FunctionResult = { success: true, value: null, logLines: [] };

/**
 * One "process": a scheduler over a runner whose `slow:` actions run until
 * the test releases them and whose mutations only mark their job done.
 * Disposing releases what still runs, then closes the scheduler.
 */
async function startProcess(store: DocumentStore, options: SchedulerOptions) {
  const ran: string[] = [];
  const releases = new Map<string, () => void>();
  const runner: JobRunner = {
    kindOf: (path) => (path.startsWith('slow:') ? 'action' : 'mutation'),
    async runMutation(path, _args, { jobId }) {
      const moved = await systemTransaction(store, (tx) =>
        transitionJob(tx, jobId, 'pending', { kind: 'success' }, Date.now()),
      );
      if (!moved)
        return {
          success: false,
          errorMessage: `Scheduled job ${jobId} is no longer pending.`,
          logLines: [],
        };
      ran.push(path);
      return DONE;
    },
    runAction(path, _args, { jobId }) {
      ran.push(path);
      return new Promise((resolve) => releases.set(jobId, () => resolve(DONE)));
    },
  };
  const scheduler = new Scheduler(runner, store, options);
  await scheduler.start();
  return {
    scheduler,
    /** The functions this process ran, in order. */
    ran,
    release(jobId: string): void {
      releases.get(jobId)?.();
    },
    async [Symbol.asyncDispose]() {
      for (const release of releases.values()) release();
      await scheduler.close();
    },
  };
}

async function schedule(store: DocumentStore, name: string, at: number) {
  return systemTransaction(store, (tx) =>
    scheduleJob(tx, { name, args: {}, scheduledTime: at }),
  );
}

async function jobDocument(store: DocumentStore, id: string) {
  return (await store.begin()).get(id);
}

/** A scheduler that polls often and holds short leases, so a test sees them expire. */
const QUICK = { pollMs: 20, leases: { leaseMs: 300, renewMs: 50 } };

describe('schedulers of several processes on one store', () => {
  test('two schedulers racing for twenty due plans run each job exactly once and report it once', async () => {
    await using rt = await startBasicRuntime();
    for (let i = 0; i < 20; i++)
      await rt.runner.runMutation('scheduling:plan', { name: 'race' });
    const reported: string[] = [];
    const options: SchedulerOptions = {
      maxConcurrent: 8,
      onJobFinished: (job) => reported.push(job.id),
    };
    const run = async (path: string, args: Value = {}) => {
      const result = await rt.runner.runQuery(path, args);
      if (!result.success) throw new Error(result.errorMessage);
      return result.value;
    };

    // Both start on the same twenty plans: an increment and an action each,
    // and the mutation each action schedules.
    const first = new Scheduler(rt.runner, rt.store, options);
    const second = new Scheduler(rt.runner, rt.store, options);
    await Promise.all([first.start(), second.start()]);
    try {
      await eventually(() => expect(reported).toHaveLength(60));
    } finally {
      await Promise.all([first.close(), second.close()]);
    }

    expect(await run('counters:get', { name: 'race' })).toBe(20);
    const states = ((await run('scheduling:jobs')) as { state: string }[]).map(
      (job) => job.state,
    );
    expect(states.filter((state) => state === 'success')).toHaveLength(60);
    expect(new Set(reported).size).toBe(60);
  });

  test('a scheduler starting while another runs a long action leaves it running', async () => {
    await using temporary = await temporaryStore();
    const { store } = temporary;
    await applySchema(store, null);
    const action = await schedule(store, 'slow:run', Date.now());
    await using running = await startProcess(store, {
      ...QUICK,
      maxConcurrent: 1,
    });
    await eventually(async () =>
      expect(await jobDocument(store, action)).toMatchObject({
        state: { kind: 'inProgress' },
      }),
    );
    const [lease] = await tableDocuments(store, JOB_LEASES);
    const firstExpiry = Number(lease?.['expiresAt']);

    // Another process starts meanwhile; a probe due well after the first
    // lease would have run out shows when it has looked for expired leases
    // since. Only it can run the probe: the first has its one slot taken.
    await using starting = await startProcess(store, QUICK);
    await schedule(store, 'probe:run', firstExpiry + 300);
    await eventually(() => expect(starting.ran).toEqual(['probe:run']));

    expect(await jobDocument(store, action)).toMatchObject({
      state: { kind: 'inProgress' },
    });
    running.release(action);
    await eventually(async () =>
      expect(await jobDocument(store, action)).toMatchObject({
        state: { kind: 'success' },
      }),
    );
    expect(await tableDocuments(store, JOB_LEASES)).toEqual([]);
  });

  test('an action whose scheduler stopped renewing is failed by another once its lease expires, and not before', async () => {
    await using temporary = await temporaryStore();
    const { store } = temporary;
    await applySchema(store, null);
    const action = await schedule(store, 'slow:run', Date.now());
    // As good as dead: its renewals would come long after its lease ends.
    await using dead = await startProcess(store, {
      pollMs: 20,
      maxConcurrent: 1,
      leases: { leaseMs: 300, renewMs: 3_600_000 },
    });
    await eventually(async () =>
      expect(await tableDocuments(store, JOB_LEASES)).toHaveLength(1),
    );
    const [lease] = await tableDocuments(store, JOB_LEASES);
    const expiresAt = Number(lease?.['expiresAt']);

    await using _other = await startProcess(store, QUICK);
    await eventually(async () =>
      expect(await jobDocument(store, action)).toMatchObject({
        state: { kind: 'failed', error: TRANSIENT_ACTION_ERROR },
      }),
    );
    const failed = await jobDocument(store, action);
    expect(failed?.['completedTime']).toBeGreaterThanOrEqual(expiresAt);
    expect(await tableDocuments(store, JOB_LEASES)).toEqual([]);

    // The stalled action ends after all: the job keeps its failure.
    dead.release(action);
    await dead.scheduler.close();
    expect(await jobDocument(store, action)).toMatchObject({
      state: { kind: 'failed', error: TRANSIENT_ACTION_ERROR },
    });
    expect(
      await tableDocuments(store, SCHEDULED_FUNCTIONS).then((jobs) =>
        jobs.map((job) => job['name']),
      ),
    ).toEqual(['slow:run']);
  });

  test('a scheduled mutation that loses to other writes on every retry stays pending and runs again, as on Convex', async () => {
    await using temporary = await temporaryStore();
    const { store } = temporary;
    await applySchema(store, null);
    const job = await schedule(store, 'busy:write', Date.now());
    // Its first run loses to other processes' writes five times over; the
    // second goes through.
    const runs: string[] = [];
    const runner: JobRunner = {
      kindOf: () => 'mutation',
      async runMutation(_path, _args, { jobId }) {
        runs.push(jobId);
        if (runs.length === 1)
          return {
            success: false,
            errorMessage: writeConflictMessage('counters', 'some id'),
            logLines: [],
          };
        await systemTransaction(store, (tx) =>
          transitionJob(tx, jobId, 'pending', { kind: 'success' }, Date.now()),
        );
        return DONE;
      },
      runAction: () => Promise.resolve(DONE),
    };
    const reported: FunctionResult[] = [];
    const scheduler = new Scheduler(runner, store, {
      pollMs: 20,
      onJobFinished: (_job, result) => reported.push(result),
    });
    await scheduler.start();
    try {
      await eventually(() => expect(reported).toHaveLength(1));
    } finally {
      await scheduler.close();
    }

    expect(runs).toEqual([job, job]);
    expect(reported).toEqual([DONE]);
    expect(await jobDocument(store, job)).toMatchObject({
      state: { kind: 'success' },
    });
  });
});
