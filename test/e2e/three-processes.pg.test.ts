/**
 * Three `converge serve` processes on one PostgreSQL database behind a
 * round-robin TCP balancer, as an operator runs N containers: clients on
 * different processes see each other's mutations live, scheduled jobs run
 * once whichever process takes them (also when the one they were
 * scheduled through is killed), a killed process's clients reconnect
 * through the balancer and lose nothing, and the serializability checker
 * of the reliability suite passes with its clients spread over the three.
 *
 * DATABASE_URL names the PostgreSQL server; unreachable means failing,
 * never skipping.
 */
import { ConvexHttpClient } from 'convex/browser';
import { makeFunctionReference } from 'convex/server';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { convexClients } from '../helpers/convex-clients.ts';
import {
  type ProcessCluster,
  startProcessCluster,
} from '../helpers/process-cluster.ts';
import { watchQuery } from '../helpers/query-watch.ts';
import { bySize } from '../reliability/reliability-size.ts';
import { describeAnomalies } from '../reliability/serializability-checker.ts';
import { runCheckedWorkload } from '../reliability/serializability-workload.ts';

const send = makeFunctionReference<
  'mutation',
  { channel: string; body: string },
  string
>('messages:send');
const list = makeFunctionReference<
  'query',
  { channel: string },
  { body: string }[]
>('messages:list');
const plan = makeFunctionReference<'mutation', { name: string }>(
  'scheduling:plan',
);
const planLater = makeFunctionReference<
  'mutation',
  { name: string; count: number; delayMs: number }
>('scheduling:planLater');
const jobs = makeFunctionReference<
  'query',
  Record<string, never>,
  { name: string; state: string }[]
>('scheduling:jobs');
const counter = makeFunctionReference<'query', { name: string }, number>(
  'counters:get',
);

const bodies = (messages: { body: string }[]) => messages.map((m) => m.body);

describe('three processes serving one app', () => {
  let cluster: ProcessCluster;
  beforeAll(async () => {
    cluster = await startProcessCluster('basic', 3);
  }, 60_000);
  afterAll(async () => {
    await cluster[Symbol.asyncDispose]();
  });

  test('a client on each process sees, live, what the clients on the other two write', async () => {
    await using clients = convexClients(cluster.urls);
    const onEach = cluster.urls.map(() => clients.open());
    const watches = onEach.map((client) =>
      watchQuery(client, list, { channel: 'live' }),
    );
    for (const watch of watches) expect(await watch.next()).toEqual([]);
    await Promise.all(
      onEach.map((client, i) =>
        client.mutation(send, { channel: 'live', body: `through ${i}` }),
      ),
    );
    for (const watch of watches) {
      const seen = await watch.next((messages) => messages.length === 3);
      expect(bodies(seen).sort()).toEqual([
        'through 0',
        'through 1',
        'through 2',
      ]);
      expect(watch.errors).toEqual([]);
      watch[Symbol.dispose]();
    }
  }, 30_000);

  test('jobs scheduled through every process each run exactly once, the actions and what they schedule too', async () => {
    const names = Array.from({ length: 9 }, (_, i) => `job${i}`);
    await Promise.all(
      names.map((name, i) =>
        new ConvexHttpClient(cluster.urls[i % 3] ?? '').mutation(plan, {
          name,
        }),
      ),
    );
    const http = new ConvexHttpClient(cluster.urls[0] ?? '');
    await expect
      .poll(
        async () =>
          (await http.query(jobs, {})).filter(
            (job) => job.state === 'pending' || job.state === 'inProgress',
          ),
        { timeout: 20_000, interval: 200 },
      )
      .toEqual([]);
    for (const name of names) {
      // An increment run twice would count 2; `record` run twice would
      // make the query's `unique()` throw.
      expect(await http.query(counter, { name })).toBe(1);
      expect(await http.query(counter, { name: `${name} from action` })).toBe(
        -1,
      );
    }
  }, 60_000);

  test('one process killed with SIGKILL: its clients reconnect through the balancer to another and lose nothing; its due jobs run elsewhere, once', async () => {
    const [victim] = cluster.processes;
    if (victim === undefined) throw new Error('no process to kill');
    // Jobs due after the kill, scheduled through the process about to die.
    await new ConvexHttpClient(victim.url).mutation(planLater, {
      name: 'after-kill',
      count: 10,
      delayMs: 1500,
    });
    await using clients = convexClients(cluster.balancer.url);
    const writers = Array.from({ length: 6 }, () => clients.open());
    const watch = watchQuery(writers[0] ?? clients.open(), list, {
      channel: 'kill',
    });
    expect(await watch.next()).toEqual([]);
    const PER_WRITER = 12;
    let sent = 0;
    let killed: Promise<void> = Promise.resolve();
    const acknowledged = await Promise.all(
      writers.map(async (writer, w) => {
        const done: string[] = [];
        for (let n = 0; n < PER_WRITER; n++) {
          const body = `w${w}-${n}`;
          // A third of the way in, while every writer has mutations in flight.
          if (++sent === (writers.length * PER_WRITER) / 3)
            killed = victim.kill();
          await writer.mutation(send, { channel: 'kill', body });
          done.push(body);
        }
        return done;
      }),
    );
    await killed;
    // Some of the writers were on the killed process: they reconnected.
    const victimAddress = new URL(victim.url).host;
    expect(cluster.balancer.accepted().get(victimAddress)).toBeGreaterThan(0);
    const expected = acknowledged.flat().sort();
    expect(expected).toHaveLength(writers.length * PER_WRITER);
    // Every acknowledged mutation is there exactly once: none lost, none
    // applied twice by the client's re-sending after its reconnect.
    const survivor = new ConvexHttpClient(cluster.urls[1] ?? '');
    expect(
      bodies(await survivor.query(list, { channel: 'kill' })).sort(),
    ).toEqual(expected);
    const seen = await watch.next((m) => m.length === expected.length);
    expect(bodies(seen).sort()).toEqual(expected);
    expect(watch.errors).toEqual([]);
    watch[Symbol.dispose]();
    // The killed process's due jobs ran on the survivors, each once.
    await expect
      .poll(
        async () =>
          Promise.all(
            Array.from({ length: 10 }, (_, i) =>
              survivor.query(counter, { name: `after-kill${i}` }),
            ),
          ),
        { timeout: 20_000, interval: 200 },
      )
      .toEqual(Array.from({ length: 10 }, () => 1));
  }, 90_000);
});

const seed = Number(process.env['CONVERGE_SEED'] ?? Date.now() % 1_000_000);
const size = bySize({
  ci: { clients: 12, operationsPerClient: 20, keys: 5, subscribers: 6 },
  full: { clients: 24, operationsPerClient: 60, keys: 6, subscribers: 9 },
});

test(
  `every result and snapshot across three processes is explained by one serial order (seed ${seed})`,
  async () => {
    console.log(
      `serializability across three processes: seed ${seed} (CONVERGE_SEED=${seed} reruns it)`,
    );
    await using cluster = await startProcessCluster('registers', 3);
    const { anomalies, checked, failed, subscriptionErrors, unreflected } =
      await runCheckedWorkload(
        'serializability (three processes)',
        cluster.urls,
        { seed, ...size },
      );
    expect(describeAnomalies(anomalies)).toBe('');
    expect(subscriptionErrors).toEqual([]);
    expect(unreflected).toEqual([]);
    expect(failed.other).toEqual([]);
    expect(checked.committed).toBeGreaterThan(checked.failed);
    expect(checked.snapshots).toBeGreaterThanOrEqual(size.subscribers);
  },
  bySize({ ci: 300_000, full: 1_800_000 }),
);
