import { expect, test } from 'vitest';
import { encodeIndexKey } from '../store/index-key.ts';
import { rangeInterval } from '../store/key-range.ts';
import { ReadSet } from '../store/read-set.ts';
import type { CommitEntry, DocumentWrite, Timestamp } from '../store/store.ts';
import {
  type HubSubscriber,
  type QueryRun,
  SubscriptionHub,
} from './subscription-hub.ts';

/** The `messages.by_author` index: keys are [author, creation time, id]. */
const BY_AUTHOR = 7;
/** The `messages.by_creation_time` index, which every write to messages also touches. */
const BY_CREATION = 8;

/** A query for one author's messages; the hub key is the author. */
interface Spec {
  author: string;
}

const key = (author: string, id: string) => encodeIndexKey([author, 0, id]);

/** What listing one author's messages reads. */
function readsOf(author: string, readSet = new ReadSet()): ReadSet {
  readSet.add(BY_AUTHOR, rangeInterval({ eq: [author] }));
  return readSet;
}

/** A commit inserting one message by `author`. */
function insert(ts: Timestamp, author: string, id = `m${ts}`): CommitEntry {
  const write: DocumentWrite = {
    id,
    table: 'messages',
    keys: [
      { indexId: BY_AUTHOR, old: null, new: key(author, id) },
      { indexId: BY_CREATION, old: null, new: encodeIndexKey([0, id]) },
    ],
  };
  return { ts, writes: [write] };
}

function runOf(author: string, ts: Timestamp, readSet?: ReadSet): QueryRun {
  return {
    result: {
      success: true,
      value: `messages of ${author} at ${ts}`,
      logLines: [],
      journal: null,
    },
    readSet: readsOf(author, readSet),
    ts,
  };
}

/** A read set that counts how often a commit was checked against it. */
class CountingReadSet extends ReadSet {
  checks = 0;
  override overlaps(writes: readonly DocumentWrite[]) {
    this.checks += 1;
    return super.overlaps(writes);
  }
}

/** Runs queries at once, or holds them until the test lets them finish. */
class Runner {
  readonly calls: [string, Timestamp][] = [];
  readonly readSets: CountingReadSet[] = [];
  hold = false;
  readonly #held: (() => void)[] = [];

  readonly run = (spec: Spec, ts: Timestamp): Promise<QueryRun> => {
    this.calls.push([spec.author, ts]);
    const readSet = new CountingReadSet();
    this.readSets.push(readSet);
    const run = runOf(spec.author, ts, readSet);
    if (!this.hold) return Promise.resolve(run);
    return new Promise((resolve) => this.#held.push(() => resolve(run)));
  };

  finishHeld(): void {
    for (const finish of this.#held.splice(0)) finish();
  }
}

class Watcher implements HubSubscriber {
  told = 0;
  invalidated(): void {
    this.told += 1;
  }
}

function hubAt(latestTs: Timestamp, runner = new Runner()) {
  return { hub: new SubscriptionHub<Spec>(runner.run, { latestTs }), runner };
}

const ADA: Spec = { author: 'ada' };

test('two subscribers share one query, and asking at one ts runs it once', async () => {
  const { hub, runner } = hubAt(0n);
  const alice = new Watcher();
  const bob = new Watcher();
  hub.subscribe('ada', ADA, alice);
  hub.subscribe('ada', ADA, bob);
  expect(hub.size).toBe(1);

  // Both sessions plan a Transition at ts 10 at the same moment.
  runner.hold = true;
  const asked = [hub.resultAt('ada', ADA, 10n), hub.resultAt('ada', ADA, 10n)];
  runner.finishHeld();
  const [first, second] = await Promise.all(asked);
  expect(first).toBe(second);
  expect(runner.calls).toEqual([['ada', 10n]]);

  // Nothing was committed since: the result holds at 15 as well.
  expect(await hub.resultAt('ada', ADA, 15n)).toBe(first);
  expect(runner.calls).toHaveLength(1);
  expect([alice.told, bob.told]).toEqual([0, 0]);
});

test('a commit into a result’s read set invalidates it, and subscribers are told once', async () => {
  const { hub, runner } = hubAt(0n);
  const alice = new Watcher();
  const bob = new Watcher();
  hub.subscribe('ada', ADA, alice);
  hub.subscribe('ada', ADA, bob);
  const before = await hub.resultAt('ada', ADA, 10n);

  // Ada posts at 12, and again at 13 before anyone reran the query.
  hub.commit(insert(12n, 'ada'));
  hub.commit(insert(13n, 'ada'));
  expect([alice.told, bob.told]).toEqual([1, 1]);

  // Still the answer at 11; a fresh run from 12 on.
  expect(await hub.resultAt('ada', ADA, 11n)).toBe(before);
  const after = await hub.resultAt('ada', ADA, 13n);
  expect(after.ts).toBe(13n);
  expect(runner.calls).toEqual([
    ['ada', 10n],
    ['ada', 13n],
  ]);

  // The fresh result is watched in turn.
  hub.commit(insert(14n, 'ada'));
  expect([alice.told, bob.told]).toEqual([2, 2]);
});

test('a commit that touches two indexes a query read tells its subscribers once', async () => {
  const { hub } = hubAt(0n);
  const readsBoth = new ReadSet();
  readsBoth.add(BY_CREATION, rangeInterval({ eq: [] }));
  const watcher = new Watcher();
  hub.subscribe('ada', ADA, watcher, runOf('ada', 10n, readsBoth));

  hub.commit(insert(11n, 'ada'));
  expect(watcher.told).toBe(1);
});

test('a commit outside a result’s read set leaves it valid', async () => {
  const { hub, runner } = hubAt(0n);
  const watcher = new Watcher();
  hub.subscribe('ada', ADA, watcher);
  const kept = await hub.resultAt('ada', ADA, 10n);

  hub.commit(insert(11n, 'bob'));
  expect(watcher.told).toBe(0);
  expect(await hub.resultAt('ada', ADA, 11n)).toBe(kept);
  expect(runner.calls).toHaveLength(1);
});

test('commits at or before a result’s ts never invalidate it', async () => {
  const { hub } = hubAt(0n);
  const watcher = new Watcher();
  hub.subscribe('ada', ADA, watcher);
  // Ada posted at 9, before the snapshot the query reads.
  hub.commit(insert(9n, 'ada'));
  const run = await hub.resultAt('ada', ADA, 10n);

  // The listener may hear of a commit after a run already read it.
  hub.commit(insert(10n, 'ada'));
  expect(watcher.told).toBe(0);
  expect(await hub.resultAt('ada', ADA, 10n)).toBe(run);
});

test('a commit that lands while a run is in flight is caught when it completes', async () => {
  const { hub, runner } = hubAt(0n);
  const watcher = new Watcher();
  hub.subscribe('ada', ADA, watcher);
  runner.hold = true;
  const running = hub.resultAt('ada', ADA, 10n);

  // The run read the snapshot at 10; Ada posts at 11 before it returns.
  hub.commit(insert(11n, 'ada'));
  expect(watcher.told).toBe(0);
  runner.finishHeld();
  await running;
  expect(watcher.told).toBe(1);

  runner.hold = false;
  expect((await hub.resultAt('ada', ADA, 11n)).ts).toBe(11n);
});

test('a commit elsewhere while a run is in flight leaves its result valid', async () => {
  const { hub, runner } = hubAt(0n);
  const watcher = new Watcher();
  hub.subscribe('ada', ADA, watcher);
  runner.hold = true;
  const running = hub.resultAt('ada', ADA, 10n);

  hub.commit(insert(11n, 'bob'));
  runner.finishHeld();
  const run = await running;
  expect(watcher.told).toBe(0);
  expect(await hub.resultAt('ada', ADA, 11n)).toBe(run);
});

test('a seed is the result at its ts, checked against the commits since', async () => {
  const { hub, runner } = hubAt(0n);
  const watcher = new Watcher();
  hub.subscribe('ada', ADA, watcher, runOf('ada', 10n));
  expect(await hub.resultAt('ada', ADA, 10n)).toMatchObject({ ts: 10n });
  expect(runner.calls).toEqual([]);

  // A seed computed before a commit the hub has already seen is stale on arrival.
  hub.commit(insert(20n, 'ada'));
  const late = new Watcher();
  hub.subscribe('ada@15', ADA, late, runOf('ada', 15n));
  expect(late.told).toBe(1);
  expect(await hub.resultAt('ada@15', ADA, 15n)).toMatchObject({ ts: 15n });
  await hub.resultAt('ada@15', ADA, 20n);
  expect(runner.calls).toEqual([['ada', 20n]]);
});

test('a failed run is not kept: the next ask runs again', async () => {
  let failures = 1;
  const hub = new SubscriptionHub<Spec>(
    (spec, ts) =>
      failures-- > 0
        ? Promise.reject(new Error('store unavailable'))
        : Promise.resolve(runOf(spec.author, ts)),
    { latestTs: 0n },
  );
  hub.subscribe('ada', ADA, new Watcher());
  await expect(hub.resultAt('ada', ADA, 10n)).rejects.toThrow(
    'store unavailable',
  );
  expect((await hub.resultAt('ada', ADA, 10n)).ts).toBe(10n);
});

test('unsubscribing the last subscriber drops the query', async () => {
  const { hub, runner } = hubAt(0n);
  const alice = new Watcher();
  const bob = new Watcher();
  hub.subscribe('ada', ADA, alice);
  hub.subscribe('ada', ADA, bob);
  await hub.resultAt('ada', ADA, 10n);

  hub.unsubscribe('ada', alice);
  expect(hub.size).toBe(1);
  hub.unsubscribe('ada', bob);
  expect(hub.size).toBe(0);

  // Nobody is told of later commits, and nothing is shared any more.
  hub.commit(insert(11n, 'ada'));
  expect([alice.told, bob.told]).toEqual([0, 0]);
  await hub.resultAt('ada', ADA, 12n);
  await hub.resultAt('ada', ADA, 12n);
  expect(runner.calls).toHaveLength(3);
});

test('a run that completes after its query was dropped is not watched', async () => {
  const { hub, runner } = hubAt(0n);
  const first = new Watcher();
  hub.subscribe('ada', ADA, first);
  runner.hold = true;
  const running = hub.resultAt('ada', ADA, 10n);
  hub.unsubscribe('ada', first);
  runner.finishHeld();
  await running;

  // Subscribing again starts afresh; the orphaned run is not even looked at.
  const again = new Watcher();
  hub.subscribe('ada', ADA, again);
  hub.commit(insert(11n, 'ada'));
  expect([first.told, again.told]).toEqual([0, 0]);
  expect(runner.readSets[0]?.checks).toBe(0);
});

test('a result older than the commits the hub remembers is stale', async () => {
  // The hub starts at 100: what was committed before is unknown to it.
  const { hub, runner } = hubAt(100n);
  const watcher = new Watcher();
  hub.subscribe('ada', ADA, watcher, runOf('ada', 50n));
  expect(watcher.told).toBe(1);
  expect(await hub.resultAt('ada', ADA, 50n)).toMatchObject({ ts: 50n });
  // Bob's post at 60 may or may not have touched it: it is not reused after 50.
  expect(await hub.resultAt('ada', ADA, 60n)).toMatchObject({ ts: 60n });
  expect(runner.calls).toEqual([['ada', 60n]]);
});

test('commits that fell out of the remembered window make older results stale', () => {
  const { hub } = hubAt(0n);
  // Bob posts 5,000 times; only the most recent commits are remembered.
  for (let ts = 1n; ts <= 5000n; ts++) hub.commit(insert(ts, 'bob'));

  const old = new Watcher();
  hub.subscribe('ada@1', ADA, old, runOf('ada', 1n));
  expect(old.told).toBe(1);
  const recent = new Watcher();
  hub.subscribe('ada@4999', ADA, recent, runOf('ada', 4999n));
  expect(recent.told).toBe(0);
});

test('a commit consults no read set, whether 10,000 queries read other indexes or other keys of its own', () => {
  const { hub } = hubAt(0n);
  const others: CountingReadSet[] = [];
  const otherWatchers: Watcher[] = [];
  for (let i = 0; i < 10_000; i++) {
    // Half read whole other indexes, half read other authors' messages.
    const reads = new CountingReadSet();
    if (i % 2 === 0) reads.add(1000 + i, rangeInterval({ eq: [] }));
    else readsOf(`author ${i}`, reads);
    others.push(reads);
    const watcher = new Watcher();
    otherWatchers.push(watcher);
    hub.subscribe(`q${i}`, ADA, watcher, {
      ...runOf('nobody', 1n),
      readSet: reads,
    });
  }
  const ada = new Watcher();
  const adaReads = new CountingReadSet();
  hub.subscribe('ada', ADA, ada, runOf('ada', 1n, adaReads));

  // The written keys alone find Ada's query; no read set is asked.
  hub.commit(insert(2n, 'ada'));
  expect(ada.told).toBe(1);
  expect(otherWatchers.filter((watcher) => watcher.told > 0)).toEqual([]);
  expect(
    adaReads.checks + others.reduce((sum, reads) => sum + reads.checks, 0),
  ).toBe(0);
});

/** The `players.by_score` index: keys are [score, id]. */
const BY_SCORE = 9;

/** Queries over scores, each the one interval it reads. */
const scoreQueries = {
  'ten to twenty': rangeInterval({
    eq: [],
    lower: { value: 10, inclusive: true },
    upper: { value: 20, inclusive: false },
  }),
  'twenty and up': rangeInterval({
    eq: [],
    lower: { value: 20, inclusive: true },
  }),
  'above twenty': rangeInterval({
    eq: [],
    lower: { value: 20, inclusive: false },
  }),
  'every score': rangeInterval({ eq: [] }),
};

/**
 * Who hears of one commit writing a player's score: each score query
 * subscribed at ts 1 and kept valid, then a commit at ts 2 whose score key
 * goes from `before` to `after` (null: no document there).
 */
function toldOf(before: number | null, after: number | null): string[] {
  const { hub } = hubAt(0n);
  const told: string[] = [];
  for (const [name, interval] of Object.entries(scoreQueries)) {
    const readSet = new ReadSet();
    readSet.add(BY_SCORE, interval);
    hub.subscribe(
      name,
      ADA,
      { invalidated: (key) => told.push(key) },
      {
        ...runOf('nobody', 1n),
        readSet,
      },
    );
  }
  const scoreKey = (score: number | null) =>
    score === null ? null : encodeIndexKey([score, 'p1']);
  hub.commit({
    ts: 2n,
    writes: [
      {
        id: 'p1',
        table: 'players',
        keys: [
          { indexId: BY_SCORE, old: scoreKey(before), new: scoreKey(after) },
        ],
      },
    ],
  });
  return told.sort();
}

test('a commit finds exactly the queries whose intervals hold a key it wrote', () => {
  // A player joins at 10: the lower bound is inclusive.
  expect(toldOf(null, 10)).toEqual(['every score', 'ten to twenty']);
  // At 20: the upper bound of "ten to twenty" is exclusive, and "above twenty" excludes 20 itself.
  expect(toldOf(null, 20)).toEqual(['every score', 'twenty and up']);
  // Far above: only the intervals with no upper end hold it.
  expect(toldOf(null, 1e9)).toEqual([
    'above twenty',
    'every score',
    'twenty and up',
  ]);
  // Below every bound, only the whole-index scan holds it.
  expect(toldOf(null, -5)).toEqual(['every score']);
  // A player leaves from 15: the old key alone finds "ten to twenty".
  expect(toldOf(15, null)).toEqual(['every score', 'ten to twenty']);
});

test('an update moving a document from one interval to another invalidates both', () => {
  expect(toldOf(15, 25)).toEqual([
    'above twenty',
    'every score',
    'ten to twenty',
    'twenty and up',
  ]);
  // An update within one interval tells its queries once.
  expect(toldOf(12, 13)).toEqual(['every score', 'ten to twenty']);
});

test('a fresh result that read elsewhere is watched only where it read', () => {
  const { hub } = hubAt(0n);
  const watcher = new Watcher();
  hub.subscribe('feed', ADA, watcher, runOf('ada', 1n));
  hub.commit(insert(2n, 'ada'));
  expect(watcher.told).toBe(1);

  // The rerun at 2 followed someone else: it read Bob's messages instead.
  hub.subscribe('feed', ADA, watcher, runOf('bob', 2n, new ReadSet()));
  hub.commit(insert(3n, 'ada'));
  expect(watcher.told).toBe(1);
  hub.commit(insert(4n, 'bob'));
  expect(watcher.told).toBe(2);
});

test('a commit that lands in two intervals of one query tells its subscribers once', () => {
  const { hub } = hubAt(0n);
  // Ada's messages, read once whole and once from the start of the index.
  const reads = readsOf('ada');
  reads.add(
    BY_AUTHOR,
    rangeInterval({ eq: [], upper: { value: 'b', inclusive: false } }),
  );
  const watcher = new Watcher();
  hub.subscribe('ada', ADA, watcher, { ...runOf('ada', 1n), readSet: reads });

  hub.commit(insert(2n, 'ada'));
  expect(watcher.told).toBe(1);
});

test('after invalidateAll every subscriber is told, and the same ts runs again', async () => {
  const { hub, runner } = hubAt(0n);
  const alice = new Watcher();
  const bob = new Watcher();
  hub.subscribe('ada', ADA, alice);
  hub.subscribe('bob', { author: 'bob' }, bob);
  const before = await hub.resultAt('ada', ADA, 10n);
  await hub.resultAt('bob', { author: 'bob' }, 10n);

  // The functions were reloaded; nothing was committed.
  hub.invalidateAll();
  expect([alice.told, bob.told]).toEqual([1, 1]);

  // At the very same ts the kept result is not served: the new code runs.
  const after = await hub.resultAt('ada', ADA, 10n);
  expect(after).not.toBe(before);
  expect(runner.calls).toEqual([
    ['ada', 10n],
    ['bob', 10n],
    ['ada', 10n],
  ]);
  // And that fresh result is kept as usual.
  expect(await hub.resultAt('ada', ADA, 12n)).toBe(after);
});

test('a run of the old code that finishes after invalidateAll is neither kept nor seeded', async () => {
  const { hub, runner } = hubAt(0n);
  const watcher = new Watcher();
  hub.subscribe('ada', ADA, watcher);
  runner.hold = true;
  const oldRun = hub.resultAt('ada', ADA, 10n);

  hub.invalidateAll();
  runner.finishHeld();
  const old = await oldRun;

  // Handed back as a seed under a pinned key, it is still not trusted.
  hub.subscribe('ada@pinned', ADA, watcher, old);
  runner.hold = false;
  expect(await hub.resultAt('ada', ADA, 10n)).not.toBe(old);
  expect(await hub.resultAt('ada@pinned', ADA, 10n)).not.toBe(old);
  expect(runner.calls).toHaveLength(3);
});
