import { expect, test } from 'vitest';
import { nanosecondsText, scheduleText } from './cron-text.ts';

test('each kind of schedule reads as a person says it', () => {
  expect(scheduleText({ type: 'interval', seconds: 90n })).toBe('every 90 s');
  expect(scheduleText({ type: 'hourly', minuteUTC: 5n })).toBe('hourly at :05');
  expect(scheduleText({ type: 'daily', hourUTC: 3n, minuteUTC: 30n })).toBe(
    'daily at 03:30 UTC',
  );
  expect(
    scheduleText({ type: 'weekly', dayOfWeek: 1n, hourUTC: 9n, minuteUTC: 0n }),
  ).toBe('Mondays at 09:00 UTC');
  expect(
    scheduleText({ type: 'monthly', day: 1n, hourUTC: 0n, minuteUTC: 0n }),
  ).toBe('monthly on day 1 at 00:00 UTC');
  expect(scheduleText({ type: 'cron', cronExpr: '*/5 * * * *' })).toBe(
    'cron */5 * * * * (UTC)',
  );
});

test('nanosecond timestamps read as ISO times, none as a dash', () => {
  expect(nanosecondsText(1_800_000_000_000_000_000n)).toBe(
    '2027-01-15T08:00:00.000Z',
  );
  expect(nanosecondsText(null)).toBe('—');
});
