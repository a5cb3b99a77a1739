/**
 * Hub invalidation (issue 8, W6): what one commit costs the SubscriptionHub
 * with N unrelated subscriptions open, next to the same commit with none.
 * Each subscription is a distinct `counters:get({ name })` query: one
 * interval of the `counters.by_name` index at its own name, all of them
 * the same index, so only the key intervals tell them apart.
 *
 * Two workloads, each a commit updating one counter document (its keys in
 * `by_id`, `by_creation_time` and `by_name`, as the store writes them):
 * - `unrelated`: a counter nobody subscribes to; nothing is invalidated.
 * - `one subscriber`: the counter one subscription reads; that query is
 *   invalidated and its fresh result handed back as a seed, as a session
 *   rerunning it would, so every commit finds it watched again.
 *
 * Hand-run, not part of `npm run bench`:
 *
 *   node --import tsx bench/hub-invalidation.ts [subscriptions] [ms per round] [rounds]
 *
 * Not measured: running the queries (the runs are built by hand) and
 * anything a subscriber does once told.
 */
import { argv } from 'node:process';
import { encodeIndexKey } from '../src/store/index-key.ts';
import { type KeyInterval, rangeInterval } from '../src/store/key-range.ts';
import { ReadSet } from '../src/store/read-set.ts';
import type {
  CommitEntry,
  DocumentWrite,
  Timestamp,
} from '../src/store/store.ts';
import {
  type HubSubscriber,
  type QueryRun,
  SubscriptionHub,
} from '../src/sync/subscription-hub.ts';
import { measure, median } from './measure.ts';

const subscriptions = Number(argv[2] ?? 10_000);
const durationMs = Number(argv[3] ?? 500);
const rounds = Number(argv[4] ?? 5);

const BY_ID = 1;
const BY_CREATION = 2;
const BY_NAME = 3;

interface Spec {
  name: string;
}

const quiet: HubSubscriber = { invalidated: () => undefined };

/** Keys and intervals are encoded once, outside the timed loop. */
const intervals = new Map<string, KeyInterval>();
const writtenKeys = new Map<string, DocumentWrite['keys']>();

function runOf(name: string, ts: Timestamp): QueryRun {
  let interval = intervals.get(name);
  if (!interval) {
    interval = rangeInterval({ eq: [name] });
    intervals.set(name, interval);
  }
  const readSet = new ReadSet();
  readSet.add(BY_NAME, interval);
  return {
    result: { success: true, value: 0, logLines: [], journal: null },
    readSet,
    ts,
  };
}

/** A commit updating the counter `name` (its value changes, its keys do not). */
function update(ts: Timestamp, name: string): CommitEntry {
  const id = `k57${name.padStart(29, 'x')}`;
  let keys = writtenKeys.get(name);
  if (!keys) {
    keys = (
      [
        [BY_ID, encodeIndexKey([id])],
        [BY_CREATION, encodeIndexKey([1_700_000_000_000, id])],
        [BY_NAME, encodeIndexKey([name, 1_700_000_000_000, id])],
      ] as const
    ).map(([indexId, key]) => ({ indexId, old: key, new: key }));
    writtenKeys.set(name, keys);
  }
  return { ts, writes: [{ id, table: 'counters', keys }] };
}

/** A hub with `count` subscriptions to `other-<i>`, plus one to `target`. */
function hubWith(count: number): {
  hub: SubscriptionHub<Spec>;
  nextTs: () => Timestamp;
} {
  const hub = new SubscriptionHub<Spec>(
    (spec, ts) => Promise.resolve(runOf(spec.name, ts)),
    { latestTs: 0n },
  );
  for (let i = 0; i < count; i++) {
    const name = `other-${i}`;
    hub.subscribe(name, { name }, quiet, runOf(name, 1n));
  }
  hub.subscribe('target', { name: 'target' }, quiet, runOf('target', 1n));
  let ts = 1n;
  return { hub, nextTs: () => (ts += 1n) };
}

function unrelated(count: number): () => number {
  const { hub, nextTs } = hubWith(count);
  return () => {
    hub.commit(update(nextTs(), 'nobody'));
    return 1;
  };
}

function oneSubscriber(count: number): () => number {
  const { hub, nextTs } = hubWith(count);
  return () => {
    const ts = nextTs();
    hub.commit(update(ts, 'target'));
    hub.subscribe('target', { name: 'target' }, quiet, runOf('target', ts));
    return 1;
  };
}

async function commitsPerSecond(op: () => number): Promise<number> {
  await measure(op, durationMs);
  const results: number[] = [];
  for (let round = 0; round < rounds; round++)
    results.push(await measure(op, durationMs));
  return median(results);
}

const rows: string[] = [];
for (const [label, workload] of [
  ['unrelated', unrelated],
  ['one subscriber', oneSubscriber],
] as const) {
  const none = await commitsPerSecond(workload(0));
  const many = await commitsPerSecond(workload(subscriptions));
  const micros = (perSecond: number) => (1e6 / perSecond).toFixed(2);
  rows.push(
    `| ${label} | ${Math.round(none).toLocaleString('en-US')} (${micros(none)} µs) | ${Math.round(many).toLocaleString('en-US')} (${micros(many)} µs) | ${(none / many).toFixed(2)} |`,
  );
}
console.log(
  [
    `| commit | commits/s, 0 others | commits/s, ${subscriptions.toLocaleString('en-US')} others | cost ratio |`,
    '| --- | ---: | ---: | ---: |',
    ...rows,
  ].join('\n'),
);
