import { describe, expect, test } from 'vitest';
import type { ExecutionListener } from '../runtime/execution-listeners.ts';
import type { CommitListener } from '../store/store.ts';
import { serverMetrics } from './server-metrics.ts';

/** A store and a runner that report only what the test tells them to. */
function sources() {
  const commits = new Set<CommitListener>();
  const runs = new Set<ExecutionListener>();
  return {
    store: {
      onCommit: (listener: CommitListener) => {
        commits.add(listener);
        return () => commits.delete(listener);
      },
    },
    runner: {
      onExecution: (listener: ExecutionListener) => {
        runs.add(listener);
        return () => runs.delete(listener);
      },
    },
    commit: (own = true) => {
      for (const listener of commits) listener({ ts: 1n, writes: [] }, own);
    },
    ran: (path: string, occRetries: number, success = true) => {
      for (const listener of runs)
        listener({
          kind: 'mutation',
          path,
          durationMs: 3,
          success,
          occRetries,
          logLines: [],
          errorMessage: success ? null : 'Uncaught Error: failed',
          endedAtMs: Date.now(),
        });
    },
  };
}

describe('serverMetrics', () => {
  test('OCC retries are counted by function, and only mutations that retried appear', () => {
    const { store, runner, ran } = sources();
    const { registry } = serverMetrics({ store, runner });

    ran('transfers:send', 2);
    ran('transfers:send', 0);
    ran('transfers:send', 4, false);
    ran('profiles:rename', 0);
    const text = registry.render();
    expect(text).toContain(
      'converge_occ_retries_total{function="transfers:send"} 6\n',
    );
    expect(text).not.toContain('profiles:rename');
    expect(text).toContain(
      'converge_function_duration_seconds_count{kind="mutation",outcome="success"} 3\n',
    );
    expect(text).toContain(
      'converge_function_duration_seconds_count{kind="mutation",outcome="error"} 1\n',
    );
    expect(text).toContain(
      'converge_function_duration_seconds_bucket{kind="mutation",outcome="success",le="0.0025"} 0\n',
    );
    expect(text).toContain(
      'converge_function_duration_seconds_bucket{kind="mutation",outcome="success",le="0.005"} 3\n',
    );
  });

  test('Transition sizes land in their buckets; the sync gauges are read when scraped', () => {
    const { store, runner } = sources();
    const metrics = serverMetrics({ store, runner });
    const sync = { connections: 0, subscriptions: 0, distinctQueries: 0 };
    metrics.watchSync(sync);

    metrics.transitionSent(100);
    metrics.transitionSent(5000);
    sync.connections = 3;
    sync.subscriptions = 7;
    const text = metrics.registry.render();
    expect(text).toContain(
      'converge_sync_transition_bytes_bucket{le="128"} 1\n',
    );
    expect(text).toContain(
      'converge_sync_transition_bytes_bucket{le="2048"} 1\n',
    );
    expect(text).toContain(
      'converge_sync_transition_bytes_bucket{le="8192"} 2\n',
    );
    expect(text).toContain('converge_sync_transition_bytes_sum 5100\n');
    expect(text).toContain('converge_sync_connections 3\n');
    expect(text).toContain('converge_sync_subscriptions 7\n');
  });

  test("this process's commits are counted until stopped; commits heard from other processes are not", () => {
    const { store, runner, commit, ran } = sources();
    const metrics = serverMetrics({ store, runner });
    commit();
    commit(false);
    commit();
    metrics.stop();
    commit();
    ran('transfers:send', 1);
    const text = metrics.registry.render();
    expect(text).toContain('converge_commits_total 2\n');
    expect(text).not.toContain('converge_occ_retries_total{');
  });
});
