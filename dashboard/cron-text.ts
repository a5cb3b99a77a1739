/**
 * scheduleText: a cron's schedule as a person reads it: `every 90 s`,
 * `daily at 03:30 UTC`, `Mondays at 09:00 UTC`, or the cron expression
 * itself.
 */
import type { CronSchedule } from './system-api.ts';

const DAYS = [
  'Sundays',
  'Mondays',
  'Tuesdays',
  'Wednesdays',
  'Thursdays',
  'Fridays',
  'Saturdays',
];

export function scheduleText(schedule: CronSchedule): string {
  switch (schedule.type) {
    case 'interval':
      return `every ${schedule.seconds} s`;
    case 'hourly':
      return `hourly at :${two(schedule.minuteUTC)}`;
    case 'daily':
      return `daily at ${time(schedule.hourUTC, schedule.minuteUTC)}`;
    case 'weekly':
      return `${DAYS[Number(schedule.dayOfWeek)] ?? `day ${schedule.dayOfWeek}`} at ${time(schedule.hourUTC, schedule.minuteUTC)}`;
    case 'monthly':
      return `monthly on day ${schedule.day} at ${time(schedule.hourUTC, schedule.minuteUTC)}`;
    case 'cron':
      return `cron ${schedule.cronExpr} (UTC)`;
  }
}

/** Nanoseconds since the epoch, as the ISO time a person reads. */
export function nanosecondsText(ns: bigint | null): string {
  return ns === null ? '—' : new Date(Number(ns / 1_000_000n)).toISOString();
}

function time(hour: bigint, minute: bigint): string {
  return `${two(hour)}:${two(minute)} UTC`;
}

function two(n: bigint): string {
  return String(n).padStart(2, '0');
}
