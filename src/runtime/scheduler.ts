/**
 * Scheduler: runs the jobs of `_scheduled_functions` when they fall due, and
 * turns the app's cron jobs into such jobs when their time comes.
 *
 * - A mutation job runs in one transaction together with its move from
 *   `pending` to `success`, so it runs exactly once, even when several
 *   schedulers (processes) race for it: the loser's transaction conflicts
 *   and finds the job no longer pending. One that loses to other writes
 *   on all its retries stays pending and runs again a little later, as
 *   Convex runs it until it commits.
 * - An action job first moves to `inProgress` in a transaction of its own,
 *   which only one scheduler wins and which records that scheduler's lease
 *   on it, then runs, then is marked done: at most once. The lease is
 *   renewed while the action runs; when its process dies, any scheduler
 *   fails the job once the lease expires, as Convex fails an action cut off
 *   by a crash (job-leases.ts).
 * - A cron job's next run is kept in `_cron_jobs` (cron-records.ts), with
 *   the job as it was declared and its last two runs; the transaction that
 *   advances it also schedules the run, so a run is scheduled once. New
 *   crons (`replaceCrons`, when the code is reloaded) take effect at once:
 *   a job whose declaration changed is planned afresh, and a removed one is
 *   dropped.
 *
 * It wakes when a commit (of any process sharing the store) writes to those
 * tables, when a job finishes, when the next job or cron run is due, and at
 * least every `pollMs`, when it also takes back expired leases.
 *
 *   idle ──start()──▶ running ──close()──▶ closed (after running jobs end)
 */
import type { DocumentStore } from '../store/store.ts';
import { CRON_JOBS, cronDeclaration, cronRecords } from './cron-records.ts';
import { type CronJob, nextRunAfter } from './cron-schedule.ts';
import type { FunctionKind } from './execution.ts';
import type { FunctionResult } from './function-result.ts';
import {
  SCHEDULED_FUNCTIONS,
  type ScheduledJob,
  dueJobs,
  scheduleJob,
  transitionJob,
} from './scheduled-jobs.ts';
import {
  type JobLeaseOptions,
  JobLeases,
  throwOutOfBand,
} from './job-leases.ts';
import { systemTransaction } from './system-transaction.ts';
import { isWriteConflict } from './write-conflict.ts';
import { type JSONValue, type Value, jsonToConvex } from 'convex/values';

/** Enough to keep a 2-core machine busy with I/O-bound actions without starving clients. */
const DEFAULT_MAX_CONCURRENT = 16;
/** How late a job scheduled by another process may start, at worst. */
const DEFAULT_POLL_MS = 1000;
/**
 * A scheduled mutation that lost to other writes on all of a run's retries
 * waits this long before it runs again, doubling up to the maximum: the
 * runner already backed off between its own retries, and 2 s bounds how
 * late a job on a busy document starts once the others let it through.
 */
const FIRST_CONFLICT_BACKOFF_MS = 20;
const MAX_CONFLICT_BACKOFF_MS = 2000;
/** setTimeout's largest delay (a signed 32-bit count of milliseconds). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** What the scheduler needs of the runner. */
export interface JobRunner {
  kindOf(path: string): FunctionKind | null;
  runMutation(
    path: string,
    args: Value,
    options: { jobId: string },
  ): Promise<FunctionResult>;
  runAction(
    path: string,
    args: Value,
    options: { jobId: string },
  ): Promise<FunctionResult>;
}

export interface SchedulerOptions {
  crons?: readonly CronJob[];
  maxConcurrent?: number;
  pollMs?: number;
  /** How long a lease on a running action lasts and how often it is renewed. */
  leases?: JobLeaseOptions;
  /** Told of every finished job, for logs. */
  onJobFinished?: (job: ScheduledJob, result: FunctionResult) => void;
  /**
   * A store failure in the scheduler's own work (finding due jobs, crons,
   * leases, a job's state change): what failed is tried again at the next
   * tick, so a database that is away for a while delays jobs and loses
   * none. By default it is thrown, out of band.
   */
  onError?: (error: unknown) => void;
}

type State = 'idle' | 'running' | 'closed';

export class Scheduler {
  readonly #runner: JobRunner;
  readonly #store: DocumentStore;
  #crons: readonly CronJob[];
  /** Set by `replaceCrons`: the next tick reconciles `_cron_jobs` even with no crons left. */
  #cronsReplaced = false;
  readonly #maxConcurrent: number;
  readonly #pollMs: number;
  readonly #onJobFinished: SchedulerOptions['onJobFinished'];
  readonly #onError: (error: unknown) => void;
  readonly #leases: JobLeases;
  readonly #running = new Map<string, Promise<void>>();
  /** Pending mutation jobs whose last run lost to other writes: how often, and when to run them again. */
  readonly #conflicted = new Map<string, { losses: number; at: number }>();
  #state: State = 'idle';
  #loop: Promise<void> = Promise.resolve();
  #wake: (() => void) | null = null;
  #dirty = false;
  #nextCronMs = 0;
  #unsubscribe: () => void = () => undefined;

  constructor(
    runner: JobRunner,
    store: DocumentStore,
    options: SchedulerOptions = {},
  ) {
    this.#runner = runner;
    this.#store = store;
    this.#crons = options.crons ?? [];
    this.#maxConcurrent = options.maxConcurrent ?? DEFAULT_MAX_CONCURRENT;
    this.#pollMs = options.pollMs ?? DEFAULT_POLL_MS;
    this.#onJobFinished = options.onJobFinished;
    this.#onError = options.onError ?? throwOutOfBand;
    this.#leases = new JobLeases(store, {
      ...options.leases,
      onError: this.#onError,
    });
  }

  async start(): Promise<void> {
    if (this.#state !== 'idle')
      throw new Error(`the scheduler is ${this.#state}`);
    this.#state = 'running';
    await this.#leases.failUnleased(Date.now());
    this.#leases.start();
    this.#unsubscribe = this.#store.onCommit((entry) => {
      if (
        entry.writes.some(
          (write) =>
            write.table === SCHEDULED_FUNCTIONS || write.table === CRON_JOBS,
        )
      )
        this.#poke();
    });
    this.#loop = this.#run();
  }

  /** The app's crons changed: the next tick plans the new ones and drops the removed. */
  replaceCrons(crons: readonly CronJob[]): void {
    this.#crons = crons;
    this.#cronsReplaced = true;
    this.#poke();
  }

  /** Stops taking jobs and waits for the running ones to finish. */
  async close(): Promise<void> {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    this.#unsubscribe();
    this.#poke();
    await this.#loop;
    await Promise.all(this.#running.values());
    await this.#leases.stop();
  }

  async #run(): Promise<void> {
    while (this.#state === 'running') {
      this.#dirty = false;
      try {
        await this.#tick();
      } catch (error) {
        this.#onError(error);
        await this.#sleep(this.#pollMs);
      }
    }
  }

  /** Takes back expired leases, schedules due crons, launches due jobs, then sleeps until there is more to do. */
  async #tick(): Promise<void> {
    const now = Date.now();
    await this.#leases.takeBackExpired(now);
    if (now >= this.#nextCronMs || this.#cronsReplaced)
      this.#nextCronMs = await this.#tickCrons(now);
    const free = this.#maxConcurrent - this.#running.size;
    const tx = await this.#store.begin();
    const { due, nextTime } = await dueJobs(
      tx,
      now,
      Math.max(free, 0) + this.#running.size,
    );
    const dueIds = new Set(due.map((job) => job.id));
    for (const id of this.#conflicted.keys())
      if (!dueIds.has(id)) this.#conflicted.delete(id);
    for (const job of due) {
      if (this.#running.size >= this.#maxConcurrent) break;
      const waiting = (this.#conflicted.get(job.id)?.at ?? 0) > now;
      if (!this.#running.has(job.id) && !waiting) this.#launch(job);
    }
    const until = Math.min(
      nextTime ?? Number.POSITIVE_INFINITY,
      this.#nextCronMs,
      now + this.#pollMs,
      ...[...this.#conflicted.values()].map((entry) => entry.at),
    );
    await this.#sleep(until - Date.now());
  }

  #launch(job: ScheduledJob): void {
    const run = this.#execute(job)
      // A store failure while running a job: it stays as it was and is retried.
      .catch(this.#onError)
      .finally(() => {
        this.#running.delete(job.id);
        this.#poke();
      });
    this.#running.set(job.id, run);
  }

  async #execute(job: ScheduledJob): Promise<void> {
    const kind = this.#runner.kindOf(job.name);
    if (kind === 'mutation') {
      const result = await this.#runner.runMutation(job.name, job.args, {
        jobId: job.id,
      });
      if (isWriteConflict(result)) {
        // Still pending: Convex runs it again until it commits.
        const losses = (this.#conflicted.get(job.id)?.losses ?? 0) + 1;
        const backoff = Math.min(
          FIRST_CONFLICT_BACKOFF_MS * 2 ** (losses - 1),
          MAX_CONFLICT_BACKOFF_MS,
        );
        this.#conflicted.set(job.id, { losses, at: Date.now() + backoff });
        return;
      }
      this.#conflicted.delete(job.id);
      // Not pending any more: another scheduler ran it, and reports it.
      if (result.success || (await this.#fail(job, result.errorMessage)))
        this.#onJobFinished?.(job, result);
      return;
    }
    if (kind === 'action') {
      if (!(await this.#leases.claim(job.id, Date.now()))) return;
      const result = await this.#runner.runAction(job.name, job.args, {
        jobId: job.id,
      });
      await this.#leases.finish(
        job.id,
        result.success
          ? { kind: 'success' }
          : { kind: 'failed', error: result.errorMessage },
        Date.now(),
      );
      this.#onJobFinished?.(job, result);
      return;
    }
    await this.#fail(
      job,
      `Function ${job.name} no longer exists or cannot be scheduled.`,
    );
  }

  /** Marks a pending job failed; false when it is no longer pending. */
  async #fail(job: ScheduledJob, error: string): Promise<boolean> {
    return systemTransaction(this.#store, (tx) =>
      transitionJob(
        tx,
        job.id,
        'pending',
        { kind: 'failed', error },
        Date.now(),
      ),
    );
  }

  /**
   * Schedules every cron job that is due and advances it; creates the
   * records of new ones and drops those of removed ones. Returns when the
   * next cron run is due.
   */
  async #tickCrons(now: number): Promise<number> {
    if (this.#crons.length === 0 && !this.#cronsReplaced)
      return Number.POSITIVE_INFINITY;
    const replaced = this.#cronsReplaced;
    this.#cronsReplaced = false;
    const crons = this.#crons;
    // A failed tick reconciles again at the next one.
    const restore = (error: unknown): never => {
      this.#cronsReplaced ||= replaced;
      throw error;
    };
    return systemTransaction(this.#store, async (tx) => {
      const records = await cronRecords(tx);
      let next = Number.POSITIVE_INFINITY;
      for (const cron of crons) {
        const record = records.get(cron.identifier);
        records.delete(cron.identifier);
        const declared = cronDeclaration(cron);
        if (!record || record.declared !== declared) {
          const nextRun = nextRunAfter(cron.schedule, now);
          if (record) await tx.patch(record.id, { nextRun, declared });
          else
            await tx.insert(CRON_JOBS, {
              identifier: cron.identifier,
              nextRun,
              declared,
            });
          next = Math.min(next, nextRun);
          continue;
        }
        if (record.nextRun <= now) {
          const job = await scheduleJob(tx, {
            name: cron.name,
            // cronJobs() keeps the arguments as Convex JSON (an int64 as `$integer`).
            args: jsonToConvex(cron.args as JSONValue) as Record<string, Value>,
            scheduledTime: now,
          });
          const nextRun = nextRunAfter(cron.schedule, now);
          await tx.patch(record.id, {
            nextRun,
            lastJob: job,
            previousJob: record.lastJob,
          });
          next = Math.min(next, nextRun);
        } else next = Math.min(next, record.nextRun);
      }
      for (const removed of records.values()) await tx.delete(removed.id);
      return next;
    }).catch(restore);
  }

  #poke(): void {
    this.#dirty = true;
    this.#wake?.();
  }

  #sleep(ms: number): Promise<void> {
    if (this.#dirty || this.#state !== 'running' || ms <= 0)
      return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, Math.min(ms, MAX_TIMER_MS));
      this.#wake = () => {
        clearTimeout(timer);
        resolve();
      };
    }).finally(() => {
      this.#wake = null;
    });
  }
}
