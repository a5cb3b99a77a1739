/**
 * The dashboard's list of cron jobs, `_system/frontend/listCronJobs` `{}`
 * (convex-backend `system-udfs/convex/_system/frontend/`): one entry per
 * cron the deployed `crons.ts` declares, sorted by name, in the shape of
 * Convex's answer (a `_cron_jobs` document with its `lastRun` from
 * `_cron_job_logs`), so Convex's field names, its int64 nanosecond
 * timestamps and its arguments as the bytes of a JSON array:
 *
 * - `cronSpec.cronSchedule` as Convex stores it: an interval in whole
 *   seconds, the day of the week as a number (Sunday is 0), a cron string
 *   as `cronExpr`, an omitted minute as the 0 Converge runs it at;
 * - `nextTs`, `prevTs` and `state` both on the entry (older dashboards) and
 *   in `nextRun` (newer ones, without its document's ids); `nextTs` and
 *   `nextRun` are null until the scheduler has planned the cron as now
 *   declared, moments after the code went live; `state` is `inProgress`
 *   while its latest run has not finished;
 * - `lastRun`: the latest finished of its last two runs (cron-records.ts),
 *   `ts` when it was due, `status` `success`, `err` with the error message,
 *   or `canceled` (`num_canceled` 1). Converge keeps no result, log lines
 *   or execution time per run, so `result`, `logLines` and `executionTime`
 *   are absent.
 *
 * Everything is read through the query's transaction: a subscriber reruns
 * when the scheduler plans or runs a cron, or a run finishes.
 */
import { type Value, convexToJson } from 'convex/values';
import type { Transaction } from '../store/store.ts';
import { appConfigOf } from './app-config.ts';
import {
  CRON_JOBS,
  type CronRecord,
  cronDeclaration,
  cronRecords,
} from './cron-records.ts';
import {
  type CronJob,
  type CronSchedule,
  DAYS_OF_WEEK,
  intervalSeconds,
} from './cron-schedule.ts';
import { type ScheduledJob, readJob } from './scheduled-jobs.ts';
import { COMPONENT_ONLY } from './system-arguments.ts';
import type { SystemQuery } from './system-query.ts';

const NANOS_PER_MS = 1_000_000n;

export const listCronJobs: SystemQuery = {
  args: COMPONENT_ONLY,
  async handler({ tx, functions }) {
    const config = appConfigOf(functions);
    if (!config.success) return { success: false, errorMessage: config.error };
    if (tx.tableNumber(CRON_JOBS) === null)
      // No cron was ever planned: the scheduler's first record must rerun this.
      await tx.scan({
        table: CRON_JOBS,
        index: 'by_creation_time',
        eq: [],
        order: 'asc',
        limit: 1,
      });
    const records = await cronRecords(tx);
    const crons = [...config.config.crons].sort((a, b) =>
      a.identifier < b.identifier ? -1 : a.identifier > b.identifier ? 1 : 0,
    );
    const listed: Value[] = [];
    for (const cron of crons)
      listed.push(await entry(tx, cron, records.get(cron.identifier)));
    return { success: true, value: listed };
  },
};

async function entry(
  tx: Transaction,
  cron: CronJob,
  record: CronRecord | undefined,
): Promise<Value> {
  const latest = await job(tx, record?.lastJob);
  const running =
    latest !== null &&
    (latest.state.kind === 'pending' || latest.state.kind === 'inProgress');
  const finished = running ? await job(tx, record?.previousJob) : latest;
  const planned =
    record !== undefined && record.declared === cronDeclaration(cron);
  const state = { type: running ? 'inProgress' : 'pending' };
  const prevTs = latest === null ? null : nanos(latest.scheduledTime);
  const nextTs = planned ? nanos(record.nextRun) : null;
  return {
    name: cron.identifier,
    cronSpec: {
      udfPath: cron.name,
      udfArgs: jsonBytes([cron.args as Value]),
      cronSchedule: convexSchedule(cron.schedule),
    },
    state,
    prevTs,
    nextTs,
    nextRun: nextTs === null ? null : { state, prevTs, nextTs },
    lastRun: finished === null ? null : lastRun(cron.identifier, finished),
  };
}

async function job(
  tx: Transaction,
  id: string | undefined,
): Promise<ScheduledJob | null> {
  return id === undefined ? null : readJob(tx, id);
}

/** A finished run as a `_cron_job_logs` document; null while it has not finished. */
function lastRun(name: string, run: ScheduledJob): Value {
  const status =
    run.state.kind === 'success'
      ? { type: 'success' }
      : run.state.kind === 'failed'
        ? { type: 'err', error: run.state.error }
        : run.state.kind === 'canceled'
          ? { type: 'canceled', num_canceled: 1n }
          : null;
  if (status === null) return null;
  return {
    name,
    ts: nanos(run.scheduledTime),
    udfPath: run.name,
    udfArgs: jsonBytes([convexToJson(run.args)]),
    status,
  };
}

/** A schedule in the fields Convex's `_cron_jobs` keeps, its numbers int64. */
function convexSchedule(schedule: CronSchedule): Value {
  const minuteUTC = BigInt(
    'minuteUTC' in schedule ? (schedule.minuteUTC ?? 0) : 0,
  );
  switch (schedule.type) {
    case 'interval':
      return {
        type: 'interval',
        seconds: BigInt(Math.round(intervalSeconds(schedule))),
      };
    case 'hourly':
      return { type: 'hourly', minuteUTC };
    case 'daily':
      return { type: 'daily', hourUTC: BigInt(schedule.hourUTC), minuteUTC };
    case 'weekly':
      return {
        type: 'weekly',
        dayOfWeek: BigInt(
          DAYS_OF_WEEK.indexOf(schedule.dayOfWeek.toLowerCase()),
        ),
        hourUTC: BigInt(schedule.hourUTC),
        minuteUTC,
      };
    case 'monthly':
      return {
        type: 'monthly',
        day: BigInt(schedule.day),
        hourUTC: BigInt(schedule.hourUTC),
        minuteUTC,
      };
    case 'cron':
      return { type: 'cron', cronExpr: schedule.cron };
  }
}

function nanos(ms: number): bigint {
  return BigInt(Math.round(ms)) * NANOS_PER_MS;
}

/** JSON text as bytes, as Convex keeps function arguments. */
function jsonBytes(json: unknown): ArrayBuffer {
  const bytes = new TextEncoder().encode(JSON.stringify(json));
  return bytes.buffer.slice(
    bytes.byteOffset,
    bytes.byteOffset + bytes.byteLength,
  );
}
