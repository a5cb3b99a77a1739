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
 * A commit finds the results it invalidates by the keys it wrote: every
 * valid result's read intervals are held in one IntervalIndex per index,
 * and each written key (before and after) is looked up there, so a commit
 * costs about the same with 10,000 unrelated subscriptions open, even on
 * the same index, as with none. A run that finishes after commits it did
 * not see is checked against the recent commits the hub remembers; one
 * older than those is trusted at its own timestamp only.
 *
 * When the functions themselves change (a reload in `converge dev`) or their
 * environment does, every result is stale at once, whatever was committed:
 * `invalidateAll` starts a new generation, and no run of an earlier one is
 * kept or served again, even one still running or handed back as a seed.
 *
 * It does not decide when a session sends a Transition; it only says which
 * sessions have stale results.
 */
import type { KeyInterval } from '../store/key-range.ts';
import type { ReadSet } from '../store/read-set.ts';
import type { CommitEntry, Timestamp } from '../store/store.ts';
import { IntervalIndex } from './interval-index.ts';
import type { QueryResult } from './sync-session.ts';

/** Told when a query it subscribed to has a stale result. */
export interface HubSubscriber {
  /** The result of the query under `key` went stale. */
  invalidated(key: string): void;
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
  key: string;
  spec: Spec;
  subscribers: Set<HubSubscriber>;
  /** The last result, valid from its `ts` until `invalidAt` (exclusive). */
  last: QueryRun | null;
  invalidAt: Timestamp | null;
  /**
   * Runs in progress, by the timestamp each reads; null while there are
   * none, which is most of the time for most of the queries held.
   */
  running: Map<Timestamp, Promise<QueryRun>> | null;
  /**
   * The intervals under which it is in `#byIndex`: those `last` read, while
   * `last` is valid and the entry is subscribed; empty otherwise.
   */
  watched: { indexId: number; interval: KeyInterval }[];
}

/** Commits kept to check results that were computed while they happened. */
const RECENT_COMMITS = 4096;

export class SubscriptionHub<Spec> {
  readonly #run: RunQuery<Spec>;
  readonly #entries = new Map<string, Entry<Spec>>();
  /**
   * Entries with a valid result, by the intervals it read in each index: a
   * commit looks only at the entries whose intervals hold a key it wrote,
   * so unrelated subscriptions cost it nothing.
   */
  readonly #byIndex = new Map<number, IntervalIndex<Entry<Spec>>>();
  #recent: CommitEntry[] = [];
  /** Every commit after this is in `#recent`; those at or before it may be forgotten. */
  #recentFrom: Timestamp;
  /** Bumped by `invalidateAll`: runs of an older generation are never kept. */
  #generation = 0;
  /** The generation each run this hub started belongs to. */
  readonly #generations = new WeakMap<QueryRun, number>();

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
        key,
        spec,
        subscribers: new Set(),
        last: null,
        invalidAt: null,
        running: null,
        watched: [],
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
    if (entry.subscribers.size > 0) return;
    this.#entries.delete(key);
    this.#unwatch(entry);
  }

  /** The query's result at `ts`: the kept one if still valid there, else a run shared by all who ask. */
  async resultAt(key: string, spec: Spec, ts: Timestamp): Promise<QueryRun> {
    const entry = this.#entries.get(key);
    if (!entry) return this.#start(spec, ts);
    const { last } = entry;
    if (
      last &&
      last.ts <= ts &&
      (entry.invalidAt === null || entry.invalidAt > ts)
    )
      return last;
    const running = entry.running?.get(ts);
    if (running) return running;
    const finished = () => {
      if (entry.running?.get(ts) !== run) return;
      entry.running.delete(ts);
      if (entry.running.size === 0) entry.running = null;
    };
    const run: Promise<QueryRun> = this.#start(spec, ts).then((outcome) => {
      finished();
      this.#keep(entry, outcome);
      return outcome;
    });
    (entry.running ??= new Map()).set(ts, run);
    run.catch(finished);
    return run;
  }

  /**
   * The functions changed: every result held or being computed is stale,
   * though no commit says so. Each subscriber hears of each of its queries,
   * which then run afresh, never from a result of the old code.
   */
  invalidateAll(): void {
    this.#generation += 1;
    for (const entry of this.#entries.values()) {
      this.#unwatch(entry);
      entry.last = null;
      entry.invalidAt = null;
      entry.running = null;
    }
    for (const entry of [...this.#entries.values()])
      for (const subscriber of [...entry.subscribers])
        subscriber.invalidated(entry.key);
  }

  /** Runs a query, remembering the generation it belongs to. */
  async #start(spec: Spec, ts: Timestamp): Promise<QueryRun> {
    const generation = this.#generation;
    const run = await this.#run(spec, ts);
    this.#generations.set(run, generation);
    return run;
  }

  /** A commit (from the commit log): marks the results it invalidates and tells their subscribers. */
  commit(commit: CommitEntry): void {
    this.#recent.push(commit);
    if (this.#recent.length > RECENT_COMMITS) {
      const dropped = this.#recent.splice(0, RECENT_COMMITS / 2);
      this.#recentFrom = dropped.at(-1)?.ts ?? this.#recentFrom;
    }
    // Exactly the entries whose read sets `overlaps` would find.
    const touched = new Set<Entry<Spec>>();
    const touch = (entry: Entry<Spec>) => touched.add(entry);
    for (const write of commit.writes)
      for (const { indexId, old, new: next } of write.keys) {
        const index = this.#byIndex.get(indexId);
        if (!index) continue;
        if (old) index.stab(old, touch);
        if (next && !(old && next.equals(old))) index.stab(next, touch);
      }
    for (const entry of touched) {
      const { last } = entry;
      if (!last || last.ts >= commit.ts) continue;
      entry.invalidAt = commit.ts;
      this.#unwatch(entry);
      for (const subscriber of entry.subscribers)
        subscriber.invalidated(entry.key);
    }
  }

  /**
   * Keeps a fresh result if it is newer than the one held, checking it
   * against the commits made while it ran, which `commit` could not.
   */
  #keep(entry: Entry<Spec>, run: QueryRun): void {
    if ((this.#generations.get(run) ?? this.#generation) !== this.#generation)
      return;
    if (entry.last && entry.last.ts > run.ts) return;
    this.#unwatch(entry);
    entry.last = run;
    entry.invalidAt = this.#invalidation(run);
    if (entry.invalidAt === null) this.#watch(entry);
    else
      for (const subscriber of entry.subscribers)
        subscriber.invalidated(entry.key);
  }

  /** The first commit after `run` that it misses, as far as the hub knows; null if none yet. */
  #invalidation(run: QueryRun): Timestamp | null {
    // Commits since it ran may be forgotten: it holds at its own ts only.
    if (run.ts < this.#recentFrom) return run.ts + 1n;
    let invalidAt: Timestamp | null = null;
    // Newest first: only the commits after the run's snapshot matter, and they are few.
    for (let i = this.#recent.length - 1; i >= 0; i--) {
      const commit = this.#recent[i];
      if (!commit || commit.ts <= run.ts) break;
      if (run.readSet.overlaps(commit.writes)) invalidAt = commit.ts;
    }
    return invalidAt;
  }

  #watch(entry: Entry<Spec>): void {
    // A run may finish after its last subscriber left.
    if (!entry.last || this.#entries.get(entry.key) !== entry) return;
    const { readSet } = entry.last;
    for (const indexId of readSet.indexIds()) {
      let index = this.#byIndex.get(indexId);
      if (!index) {
        index = new IntervalIndex();
        this.#byIndex.set(indexId, index);
      }
      for (const interval of readSet.intervals(indexId)) {
        index.add(interval, entry);
        entry.watched.push({ indexId, interval });
      }
    }
  }

  #unwatch(entry: Entry<Spec>): void {
    for (const { indexId, interval } of entry.watched) {
      const index = this.#byIndex.get(indexId);
      index?.remove(interval, entry);
      if (index?.size === 0) this.#byIndex.delete(indexId);
    }
    entry.watched = [];
  }
}
