import { describe, expect, test } from 'vitest';
import { cronJobs, makeFunctionReference } from 'convex/server';
import { cronJobsFrom, nextRunAfter } from './cron-schedule.ts';

const at = (iso: string) => Date.parse(iso);

describe('when a cron job runs next', () => {
  test('an interval counts from the previous run', () => {
    expect(
      nextRunAfter(
        { type: 'interval', minutes: 5 },
        at('2026-01-01T00:03:00Z'),
      ),
    ).toBe(at('2026-01-01T00:08:00Z'));
    expect(
      nextRunAfter(
        { type: 'interval', hours: 1, seconds: 30 },
        at('2026-01-01T00:00:00Z'),
      ),
    ).toBe(at('2026-01-01T01:00:30Z'));
  });

  test('calendar schedules fall on their UTC minute, strictly after the given time', () => {
    const start = at('2026-01-05T10:30:00Z'); // a Monday
    expect(nextRunAfter({ type: 'hourly', minuteUTC: 30 }, start)).toBe(
      at('2026-01-05T11:30:00Z'),
    );
    expect(
      nextRunAfter({ type: 'daily', hourUTC: 9, minuteUTC: 15 }, start),
    ).toBe(at('2026-01-06T09:15:00Z'));
    expect(
      nextRunAfter(
        { type: 'weekly', dayOfWeek: 'wednesday', hourUTC: 0 },
        start,
      ),
    ).toBe(at('2026-01-07T00:00:00Z'));
    expect(nextRunAfter({ type: 'monthly', day: 3, hourUTC: 1 }, start)).toBe(
      at('2026-02-03T01:00:00Z'),
    );
    expect(nextRunAfter({ type: 'cron', cron: '*/20 * * * *' }, start)).toBe(
      at('2026-01-05T10:40:00Z'),
    );
  });

  test('a day that is not a day of the week is an error', () => {
    expect(() =>
      nextRunAfter({ type: 'weekly', dayOfWeek: 'someday', hourUTC: 0 }, 0),
    ).toThrow(/Unknown day/);
  });
});

describe('reading crons.ts', () => {
  test('each registered job becomes a cron job with a canonical path', () => {
    const crons = cronJobs();
    crons.interval(
      'tick',
      { minutes: 5 },
      makeFunctionReference<'mutation'>('counters:increment'),
      { name: 'cron' },
    );
    crons.daily(
      'nightly',
      { hourUTC: 3, minuteUTC: 0 },
      makeFunctionReference<'action'>('jobs.js:nightly'),
    );
    const canonical = (path: string) =>
      path === 'counters:increment'
        ? path
        : path === 'jobs.js:nightly'
          ? 'jobs:nightly'
          : null;
    expect(cronJobsFrom(crons, canonical)).toEqual({
      success: true,
      jobs: [
        {
          identifier: 'tick',
          name: 'counters:increment',
          args: { name: 'cron' },
          schedule: { type: 'interval', minutes: 5 },
        },
        {
          identifier: 'nightly',
          name: 'jobs:nightly',
          args: {},
          schedule: { type: 'daily', hourUTC: 3, minuteUTC: 0 },
        },
      ],
    });
  });

  test('a job that runs no mutation or action of the app is an error', () => {
    const crons = cronJobs();
    crons.hourly(
      'lost',
      { minuteUTC: 0 },
      makeFunctionReference<'mutation'>('gone:fn'),
    );
    expect(cronJobsFrom(crons, () => null)).toEqual({
      success: false,
      error:
        'Cron job "lost" runs gone:fn, which is not a mutation or action of this app.',
    });
    expect(cronJobsFrom(null, () => null)).toEqual({ success: true, jobs: [] });
  });
});
