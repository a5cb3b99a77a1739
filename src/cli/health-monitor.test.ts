import { describe, expect, test } from 'vitest';
import { HealthMonitor, percentile } from './health-monitor.ts';

/** A moment well inside a second, so the tests' seconds are whole. */
const T0 = 1_800_000_000_000;

describe('HealthMonitor', () => {
  test('commits per second are averaged over the last ten whole seconds, own and heard apart', () => {
    const monitor = new HealthMonitor();
    // Ten seconds of 3 own commits and 1 heard from another process each.
    for (let second = 0; second < 10; second++) {
      for (let i = 0; i < 3; i++) monitor.commit(T0 + second * 1000 + i, true);
      monitor.commit(T0 + second * 1000 + 500, false);
    }
    const now = T0 + 10_000;
    expect(monitor.figures(now).commits).toEqual({
      perSecond: 3,
      allProcessesPerSecond: 4,
      total: 30,
    });
    // The second under way does not count yet; ten seconds later nothing does.
    monitor.commit(now + 10, true);
    expect(monitor.figures(now + 20).commits.perSecond).toBe(3);
    expect(monitor.figures(now + 20_000).commits).toEqual({
      perSecond: 0,
      allProcessesPerSecond: 0,
      total: 31,
    });
  });

  test('OCC retries are counted from the runs that needed them', () => {
    const monitor = new HealthMonitor();
    monitor.run(T0, {
      kind: 'mutation',
      durationMs: 4,
      success: true,
      occRetries: 3,
    });
    monitor.run(T0 + 1, {
      kind: 'mutation',
      durationMs: 4,
      success: true,
      occRetries: 0,
    });
    expect(monitor.figures(T0 + 1000).occRetries).toEqual({
      perSecond: 0.3,
      total: 3,
    });
  });

  test('latency percentiles are exact, per kind, over the last minute', () => {
    const monitor = new HealthMonitor();
    // An old slow run that has left the window.
    monitor.run(T0, {
      kind: 'query',
      durationMs: 9000,
      success: true,
      occRetries: 0,
    });
    for (let ms = 1; ms <= 100; ms++)
      monitor.run(T0 + 30_000, {
        kind: 'query',
        durationMs: ms,
        success: ms % 10 !== 0,
        occRetries: 0,
      });
    monitor.run(T0 + 30_000, {
      kind: 'action',
      durationMs: 250,
      success: false,
      occRetries: 0,
    });
    expect(monitor.figures(T0 + 61_000).functions).toEqual([
      {
        kind: 'action',
        runs: 1,
        failed: 1,
        p50Ms: 250,
        p95Ms: 250,
        p99Ms: 250,
      },
      { kind: 'query', runs: 100, failed: 10, p50Ms: 50, p95Ms: 95, p99Ms: 99 },
    ]);
  });
});

test('nearest-rank percentiles', () => {
  expect(percentile([], 0.5)).toBe(0);
  expect(percentile([7], 0.99)).toBe(7);
  expect(percentile([1, 2, 3, 4], 0.5)).toBe(2);
  expect(percentile([1, 2, 3, 4], 0.75)).toBe(3);
  expect(percentile([1, 2, 3, 4], 1)).toBe(4);
});
