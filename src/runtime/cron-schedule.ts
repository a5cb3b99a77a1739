/**
 * Cron schedules as `crons.ts` declares them (convex-runtime.md §6, from
 * `convex/server`'s `cronJobs()`): when a job runs next after a given time.
 * Intervals count from the previous run; `hourly`, `daily`, `weekly` and
 * `monthly` are cron expressions in UTC, as Convex evaluates them, and so
 * is `cron`. A pure function of its inputs; croner does the calendar.
 */
import { Cron } from 'croner';

export type CronSchedule =
  | { type: 'interval'; seconds?: number; minutes?: number; hours?: number }
  | { type: 'hourly'; minuteUTC?: number }
  | { type: 'daily'; hourUTC: number; minuteUTC?: number }
  | {
      type: 'weekly';
      dayOfWeek: string;
      hourUTC: number;
      minuteUTC?: number;
    }
  | { type: 'monthly'; day: number; hourUTC: number; minuteUTC?: number }
  | { type: 'cron'; cron: string };

export interface CronJob {
  /** The identifier the job was registered under. */
  identifier: string;
  /** The canonical path of the mutation or action it runs. */
  name: string;
  args: Record<string, unknown>;
  schedule: CronSchedule;
}

/** The days of the week in cron's numbering: Sunday is 0. */
export const DAYS_OF_WEEK: readonly string[] = [
  'sunday',
  'monday',
  'tuesday',
  'wednesday',
  'thursday',
  'friday',
  'saturday',
];

/** The first run strictly after `afterMs`, in milliseconds since the epoch. */
export function nextRunAfter(schedule: CronSchedule, afterMs: number): number {
  if (schedule.type === 'interval')
    return afterMs + intervalSeconds(schedule) * 1000;
  const next = new Cron(cronExpression(schedule), {
    timezone: 'UTC',
    paused: true,
  }).nextRun(new Date(afterMs));
  if (!next)
    throw new Error(
      `The cron schedule ${JSON.stringify(schedule)} never runs.`,
    );
  return next.getTime();
}

/** The seconds between an interval's runs: at least one. */
export function intervalSeconds(
  schedule: Extract<CronSchedule, { type: 'interval' }>,
): number {
  const seconds =
    (schedule.seconds ?? 0) +
    60 * (schedule.minutes ?? 0) +
    3600 * (schedule.hours ?? 0);
  return Math.max(1, seconds);
}

function cronExpression(
  schedule: Exclude<CronSchedule, { type: 'interval' }>,
): string {
  switch (schedule.type) {
    case 'cron':
      return schedule.cron;
    case 'hourly':
      return `${schedule.minuteUTC ?? 0} * * * *`;
    case 'daily':
      return `${schedule.minuteUTC ?? 0} ${schedule.hourUTC} * * *`;
    case 'weekly': {
      const day = DAYS_OF_WEEK.indexOf(schedule.dayOfWeek.toLowerCase());
      if (day === -1)
        throw new Error(`Unknown day of the week "${schedule.dayOfWeek}".`);
      return `${schedule.minuteUTC ?? 0} ${schedule.hourUTC} * * ${day}`;
    }
    case 'monthly':
      return `${schedule.minuteUTC ?? 0} ${schedule.hourUTC} ${schedule.day} * *`;
  }
}

/** The jobs of a `crons.ts` default export (`cronJobs().crons`), or an error. */
export function cronJobsFrom(
  crons: unknown,
  canonical: (path: string) => string | null,
): { success: true; jobs: CronJob[] } | { success: false; error: string } {
  if (crons === null || crons === undefined) return { success: true, jobs: [] };
  const table = (crons as { crons?: unknown }).crons;
  if (typeof table !== 'object' || table === null)
    return {
      success: false,
      error: 'crons.ts must default-export the object cronJobs() returns.',
    };
  const jobs: CronJob[] = [];
  for (const [identifier, spec] of Object.entries(table)) {
    const { name, args, schedule } = spec as {
      name: string;
      args: unknown[];
      schedule: CronSchedule;
    };
    const path = canonical(name);
    if (path === null)
      return {
        success: false,
        error: `Cron job "${identifier}" runs ${name}, which is not a mutation or action of this app.`,
      };
    jobs.push({
      identifier,
      name: path,
      args: (args[0] ?? {}) as Record<string, unknown>,
      schedule,
    });
  }
  return { success: true, jobs };
}
