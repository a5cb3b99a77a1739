/**
 * HealthMonitor: the figures of the dashboard's Health page for this
 * process, counted as things happen and read as a HealthSnapshot:
 *
 * - commits per second, this process's own and all processes' (on a shared
 *   PostgreSQL database every process hears every commit), and OCC retries
 *   per second, each over the last RATE_WINDOW_SECONDS whole seconds;
 * - function runs of the last LATENCY_WINDOW_MS by kind: how many, how many
 *   failed, and their exact p50, p95 and p99 (not bucket estimates: the runs
 *   are kept, at most MAX_RUNS of them);
 * - the sync worker's sessions, subscriptions and distinct queries, and the
 *   process's uptime and memory, read when the snapshot is taken.
 *
 * The counting core takes the time as an argument, so it is tested with a
 * clock of its own; `watchHealth` wires it to the store, the runner and the
 * sync worker.
 * Not here: how the snapshot reaches the page (http/health-stream.ts).
 */
import type { FunctionFigures, HealthSnapshot } from '../http/health-stream.ts';
import type { FunctionRunner } from '../runtime/function-runner.ts';
import type { DocumentStore } from '../store/store.ts';
import type { SyncServer } from '../sync/sync-server.ts';

/** Seconds a rate is averaged over: short enough to show a burst, long enough not to flicker. */
const RATE_WINDOW_SECONDS = 10;
/** How far back the latency figures look: a minute, like the CLI's log tail shows. */
const LATENCY_WINDOW_MS = 60_000;
/** Runs kept for the percentiles: a busy minute past this is summarized by its latest runs. */
const MAX_RUNS = 10_000;

interface Run {
  atMs: number;
  kind: string;
  durationMs: number;
  success: boolean;
}

/** Events per whole second, for the last RATE_WINDOW_SECONDS seconds. */
class SecondCounts {
  readonly #counts = new Map<number, number>();
  total = 0;

  add(nowMs: number, by = 1): void {
    const second = Math.floor(nowMs / 1000);
    this.#counts.set(second, (this.#counts.get(second) ?? 0) + by);
    this.total += by;
    for (const old of this.#counts.keys())
      if (old < second - RATE_WINDOW_SECONDS) this.#counts.delete(old);
  }

  /** The mean per second over the whole seconds of the window before now. */
  perSecond(nowMs: number): number {
    const current = Math.floor(nowMs / 1000);
    let sum = 0;
    for (const [second, count] of this.#counts)
      if (second < current && second >= current - RATE_WINDOW_SECONDS)
        sum += count;
    return sum / RATE_WINDOW_SECONDS;
  }
}

export class HealthMonitor {
  readonly #ownCommits = new SecondCounts();
  readonly #allCommits = new SecondCounts();
  readonly #retries = new SecondCounts();
  #runs: Run[] = [];

  commit(nowMs: number, own: boolean): void {
    this.#allCommits.add(nowMs);
    if (own) this.#ownCommits.add(nowMs);
  }

  run(nowMs: number, run: Omit<Run, 'atMs'> & { occRetries: number }): void {
    if (run.occRetries > 0) this.#retries.add(nowMs, run.occRetries);
    this.#runs.push({
      atMs: nowMs,
      kind: run.kind,
      durationMs: run.durationMs,
      success: run.success,
    });
    if (this.#runs.length > MAX_RUNS * 2)
      this.#runs = this.#runs.slice(-MAX_RUNS);
  }

  figures(
    nowMs: number,
  ): Pick<HealthSnapshot, 'commits' | 'occRetries' | 'functions'> {
    return {
      commits: {
        perSecond: this.#ownCommits.perSecond(nowMs),
        allProcessesPerSecond: this.#allCommits.perSecond(nowMs),
        total: this.#ownCommits.total,
      },
      occRetries: {
        perSecond: this.#retries.perSecond(nowMs),
        total: this.#retries.total,
      },
      functions: this.#functionFigures(nowMs),
    };
  }

  #functionFigures(nowMs: number): FunctionFigures[] {
    const recent = this.#runs
      .filter((run) => run.atMs > nowMs - LATENCY_WINDOW_MS)
      .slice(-MAX_RUNS);
    const byKind = new Map<string, Run[]>();
    for (const run of recent) {
      const runs = byKind.get(run.kind);
      if (runs) runs.push(run);
      else byKind.set(run.kind, [run]);
    }
    return [...byKind.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([kind, runs]) => {
        const sorted = runs.map((run) => run.durationMs).sort((a, b) => a - b);
        return {
          kind,
          runs: runs.length,
          failed: runs.filter((run) => !run.success).length,
          p50Ms: percentile(sorted, 0.5),
          p95Ms: percentile(sorted, 0.95),
          p99Ms: percentile(sorted, 0.99),
        };
      });
  }
}

/** The nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.max(1, Math.ceil(p * sorted.length));
  return sorted[rank - 1] ?? 0;
}

/**
 * A HealthMonitor fed by the store's commits and the runner's runs, and the
 * snapshot the Health page shows: its figures beside the sync worker's
 * gauges and the process's uptime and memory. `stop` unhooks it.
 */
export function watchHealth(options: {
  store: Pick<DocumentStore, 'onCommit'>;
  runner: Pick<FunctionRunner, 'onExecution'>;
  sync: Pick<SyncServer, 'connections' | 'subscriptions' | 'distinctQueries'>;
  about: Pick<HealthSnapshot['process'], 'version' | 'store' | 'transport'>;
}): {
  monitor: HealthMonitor;
  snapshot: () => HealthSnapshot;
  stop: () => void;
} {
  const monitor = new HealthMonitor();
  const startedAtMs = Date.now();
  const stopCommits = options.store.onCommit((_entry, own) =>
    monitor.commit(Date.now(), own),
  );
  const stopRuns = options.runner.onExecution((run) =>
    monitor.run(Date.now(), run),
  );
  return {
    monitor,
    snapshot: () => {
      const now = Date.now();
      const memory = process.memoryUsage();
      const { sync } = options;
      return {
        at: now,
        process: {
          ...options.about,
          uptimeSeconds: (now - startedAtMs) / 1000,
          residentBytes: memory.rss,
          heapUsedBytes: memory.heapUsed,
        },
        sync: {
          sessions: sync.connections,
          subscriptions: sync.subscriptions,
          distinctQueries: sync.distinctQueries,
        },
        ...monitor.figures(now),
      };
    },
    stop: () => {
      stopCommits();
      stopRuns();
    },
  };
}
