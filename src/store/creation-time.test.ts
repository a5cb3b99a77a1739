import { expect, test } from 'vitest';
import { CreationTimeClock, nextUp } from './creation-time.ts';

test('CreationTimeClock starts at the later of the snapshot and now', () => {
  const snapshotTs = 1_763_900_000_000n * 1_000_000n;
  expect(
    new CreationTimeClock({ snapshotTs, nowMs: 1_763_899_999_000 }).take(),
  ).toBe(1_763_900_000_000);
  expect(
    new CreationTimeClock({ snapshotTs, nowMs: 1_763_900_000_500 }).take(),
  ).toBe(1_763_900_000_500);
});

test('CreationTimeClock gives strictly increasing times, one float64 step apart', () => {
  const clock = new CreationTimeClock({
    snapshotTs: 0n,
    nowMs: 1_763_900_000_000,
  });
  const times = Array.from({ length: 1000 }, () => clock.take());
  for (let i = 1; i < times.length; i++) {
    expect(times[i]).toBeGreaterThan(times[i - 1] ?? Infinity);
    expect(times[i]).toBe(nextUp(times[i - 1] ?? 0));
  }
  // At this magnitude a float64 step is 2^-12 ms, so a thousand inserts stay within a millisecond.
  expect((times.at(-1) ?? 0) - (times[0] ?? 0)).toBeLessThan(1);
});

test('CreationTimeClock moves past times merged in from elsewhere', () => {
  const clock = new CreationTimeClock({ snapshotTs: 0n, nowMs: 1000 });
  clock.advancePast(2000);
  expect(clock.take()).toBe(nextUp(2000));
  clock.advancePast(5);
  expect(clock.take()).toBe(nextUp(nextUp(2000)));
});

test('nextUp() is the next representable float64', () => {
  expect(nextUp(0)).toBe(Number.MIN_VALUE);
  expect(nextUp(1)).toBe(1 + Number.EPSILON);
  expect(() => nextUp(-1)).toThrow(RangeError);
  expect(() => nextUp(Infinity)).toThrow(RangeError);
});
