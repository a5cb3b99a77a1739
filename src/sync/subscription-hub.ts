/**
 * SubscriptionHub: the distinct queries the sessions subscribe to, each
 * kept once with its last result and the read set that produced it, however
 * many sessions watch it (DESIGN.md decision 8).
 *
 * A query is the function, its arguments, the identity it runs as and its
 * journal. Its result, computed at timestamp `ts`, stays valid at every
 * later timestamp until a commit writes into its read set; the hub learns of
 * every commit as data (the store's commit log entries), marks the results
 * it invalidates, and tells their subscribers, which then ask for fresh
 * results. A result asked for at a timestamp is computed once and shared by
 * everyone asking for the same query at that timestamp.
 *
 * It does not decide when a session sends a Transition; it only says which
 * sessions have stale results.
 */
import type { ReadSet } from '../store/read-set.ts';
import type { CommitEntry, Timestamp } from '../store/store.ts';
import type { QueryResult } from './sync-session.ts';

/** Told when a query it subscribed to has a stale result. */
export interface HubSubscriber {
  invalidated(): void;
}

export interface QueryRun {
  result: QueryResult;
  readSet: ReadSet;
  /** The snapshot it read. */
  ts: Timestamp;
}

/** Runs a query (by its spec) at a snapshot. */
export type RunQuery<Spec> = (spec: Spec, ts: Timestamp) => Promise<QueryRun>;

interface Entry<Spec> {
  spec: Spec;
  subscribers: Set<HubSubscriber>;
  /** The last result, valid from its `ts` until `invalidAt` (exclusive). */
  last: QueryRun | null;
  invalidAt: Timestamp | null;
  /** A run in progress, by the timestamp it reads. */
  running: Map<Timestamp, Promise<QueryRun>>;
}

/** Commits kept to check results that were computed while they happened. */
const RECENT_COMMITS = 4096;

export class SubscriptionHub<Spec> {
  readonly #run: RunQuery<Spec>;
  readonly #entries = new Map<string, Entry<Spec>>();
  #recent: CommitEntry[] = [];
  /** Every commit after this is in `#recent`; those at or before it may be forgotten. */
  #recentFrom: Timestamp;

  constructor(run: RunQuery<Spec>, options: { latestTs: Timestamp }) {
    this.#run = run;
    this.#recentFrom = options.latestTs;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Subscribes to a query; `seed` is a result known to be the query's at its timestamp. */
  subscribe(
    key: string,
    spec: Spec,
    subscriber: HubSubscriber,
    seed?: QueryRun,
  ): void {
    let entry = this.#entries.get(key);
    if (!entry) {
      entry = {
        spec,
        subscribers: new Set(),
        last: null,
        invalidAt: null,
        running: new Map(),
      };
      this.#entries.set(key, entry);
    }
    entry.subscribers.add(subscriber);
    if (seed) this.#keep(entry, seed);
  }

  unsubscribe(key: string, subscriber: HubSubscriber): void {
    const entry = this.#entries.get(key);
    if (!entry) return;
    entry.subscribers.delete(subscriber);
    if (entry.subscribers.size === 0) this.#entries.delete(key);
  }

  /** The query's result at `ts`: the kept one if still valid there, else a run shared by all who ask. */
  async resultAt(key: string, spec: Spec, ts: Timestamp): Promise<QueryRun> {
    const entry = this.#entries.get(key);
    if (!entry) return this.#run(spec, ts);
    const { last } = entry;
    if (
      last &&
      last.ts <= ts &&
      (entry.invalidAt === null || entry.invalidAt > ts)
    )
      return last;
    const running = entry.running.get(ts);
    if (running) return running;
    const run = this.#run(spec, ts).then((outcome) => {
      entry.running.delete(ts);
      this.#keep(entry, outcome);
      return outcome;
    });
    entry.running.set(ts, run);
    run.catch(() => entry.running.delete(ts));
    return run;
  }

  /** A commit (from the commit log): marks the results it invalidates and tells their subscribers. */
  commit(commit: CommitEntry): void {
    this.#recent.push(commit);
    if (this.#recent.length > RECENT_COMMITS) {
      const dropped = this.#recent.splice(0, RECENT_COMMITS / 2);
      this.#recentFrom = dropped.at(-1)?.ts ?? this.#recentFrom;
    }
    for (const entry of this.#entries.values()) {
      const { last } = entry;
      if (!last || last.ts >= commit.ts) continue;
      if (entry.invalidAt !== null && entry.invalidAt <= commit.ts) continue;
      if (last.readSet.overlaps(commit.writes)) {
        entry.invalidAt = commit.ts;
        for (const subscriber of entry.subscribers) subscriber.invalidated();
      }
    }
  }

  /**
   * Keeps a fresh result if it is newer than the one held, checking it
   * against the commits made while it ran, which `commit` could not.
   */
  #keep(entry: Entry<Spec>, run: QueryRun): void {
    if (entry.last && entry.last.ts > run.ts) return;
    entry.last = run;
    entry.invalidAt = null;
    if (run.ts < this.#recentFrom) {
      // Commits since it ran may be forgotten: it holds at its own ts only.
      entry.invalidAt = run.ts + 1n;
    } else {
      // Newest first: only the commits after the run's snapshot matter, and they are few.
      for (let i = this.#recent.length - 1; i >= 0; i--) {
        const commit = this.#recent[i];
        if (!commit || commit.ts <= run.ts) break;
        if (run.readSet.overlaps(commit.writes)) entry.invalidAt = commit.ts;
      }
    }
    if (entry.invalidAt !== null)
      for (const subscriber of entry.subscribers) subscriber.invalidated();
  }
}
