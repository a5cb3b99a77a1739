import { describe, expect, test } from 'vitest';
import { nextRunAfter } from './cron-schedule.ts';

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
