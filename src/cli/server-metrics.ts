/**
 * serverMetrics: the process-wide numbers of `GET /metrics` that no single
 * layer owns: the sync worker's sockets and distinct subscribed queries,
 * read at scrape time, and the commits this process made, counted as the
 * store reports them. The HTTP API adds its own (requests, function
 * latency) to the same registry.
 */
import { MetricsRegistry } from '../http/metrics-registry.ts';
import type { DocumentStore } from '../store/store.ts';
import type { SyncServer } from '../sync/sync-server.ts';

export interface ServerMetrics {
  registry: MetricsRegistry;
  /** Stops counting commits. */
  stop: () => void;
}

export function serverMetrics(options: {
  sync: Pick<SyncServer, 'connections' | 'distinctQueries'>;
  store: Pick<DocumentStore, 'onCommit'>;
}): ServerMetrics {
  const { sync, store } = options;
  const registry = new MetricsRegistry();
  registry.gauge(
    'converge_sync_connections',
    'Open sync sockets.',
    () => sync.connections,
  );
  registry.gauge(
    'converge_sync_distinct_queries',
    'Distinct subscribed queries (function, arguments, identity, journal), each run once for all its subscribers.',
    () => sync.distinctQueries,
  );
  const commits = registry.counter(
    'converge_commits_total',
    'Transactions this process committed.',
  );
  const stop = store.onCommit(() => {
    commits.inc();
  });
  return { registry, stop };
}
