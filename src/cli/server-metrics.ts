/**
 * serverMetrics: the process-wide numbers of `GET /metrics` that no single
 * layer owns. Each layer hands up what happened as data and this module
 * counts it: the store's commits, the runner's function runs (latency by
 * kind and outcome, OCC retries by function), the Transitions the sync
 * worker sends (their sizes), and, read when scraped, the sync worker's
 * sockets, subscriptions and distinct subscribed queries. The HTTP API adds
 * its own request counts to the same registry.
 */
import { MetricsRegistry } from '../http/metrics-registry.ts';
import type { FunctionRunner } from '../runtime/function-runner.ts';
import type { DocumentStore } from '../store/store.ts';
import type { SyncServer } from '../sync/sync-server.ts';

export interface ServerMetrics {
  registry: MetricsRegistry;
  /** For the sync worker: counts a Transition of this many bytes. */
  transitionSent: (bytes: number) => void;
  /** Shows the sync worker's gauges; it is started after the metrics exist. */
  watchSync: (
    sync: Pick<SyncServer, 'connections' | 'subscriptions' | 'distinctQueries'>,
  ) => void;
  /** Stops counting commits and function runs. */
  stop: () => void;
}

/** From a query answered in a millisecond to an action near its limit. */
const FUNCTION_SECONDS_BUCKETS = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 60,
];

/**
 * Powers of four from an empty Transition (about 100 bytes) past the 5 MB
 * above which a Transition goes out in chunks (MAX_TRANSITION_BYTES).
 */
const TRANSITION_BYTES_BUCKETS = [
  128, 512, 2048, 8192, 32_768, 131_072, 524_288, 2_097_152, 8_388_608,
];

export function serverMetrics(options: {
  store: Pick<DocumentStore, 'onCommit'>;
  runner: Pick<FunctionRunner, 'onExecution'>;
}): ServerMetrics {
  const { store, runner } = options;
  const registry = new MetricsRegistry();
  const commits = registry.counter(
    'converge_commits_total',
    'Transactions this process committed.',
  );
  const durations = registry.histogram(
    'converge_function_duration_seconds',
    'Functions run by this process, from the sync socket, the HTTP API, the scheduler and actions, by kind and outcome: time from call to result, mutation retries included.',
    FUNCTION_SECONDS_BUCKETS,
  );
  const retries = registry.counter(
    'converge_occ_retries_total',
    'Mutation runs repeated because a concurrent commit changed what they read, by function.',
  );
  const transitions = registry.histogram(
    'converge_sync_transition_bytes',
    'Transitions sent to sync clients: their encoded size before chunking.',
    TRANSITION_BYTES_BUCKETS,
  );
  // Other processes sharing the store count their own.
  const stopCommits = store.onCommit((_entry, own) => {
    if (own) commits.inc();
  });
  const stopRuns = runner.onExecution((run) => {
    durations.observe(
      { kind: run.kind, outcome: run.success ? 'success' : 'error' },
      run.durationMs / 1000,
    );
    if (run.occRetries > 0) retries.inc({ function: run.path }, run.occRetries);
  });
  return {
    registry,
    transitionSent: (bytes) => {
      transitions.observe({}, bytes);
    },
    watchSync: (sync) => {
      registry.gauge(
        'converge_sync_connections',
        'Open sync sockets.',
        () => sync.connections,
      );
      registry.gauge(
        'converge_sync_subscriptions',
        'Queries subscribed by sync clients, counted once per client.',
        () => sync.subscriptions,
      );
      registry.gauge(
        'converge_sync_distinct_queries',
        'Distinct subscribed queries (function, arguments, identity, journal), each run once for all its subscribers.',
        () => sync.distinctQueries,
      );
    },
    stop: () => {
      stopCommits();
      stopRuns();
    },
  };
}
