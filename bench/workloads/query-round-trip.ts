/**
 * W1, the query round trip: `ConvexClient.query` (subscribe, first result,
 * unsubscribe) from 1 and from 16 clients in closed loops, next to a raw
 * uWS echo from as many sockets.
 *
 * - uncached: each call asks for a key never asked before (`items:get` of
 *   `item-<n>`; documents are seeded under the first keys, and a later key
 *   finds none, which changes nothing but the answer's size), so the
 *   server runs the query every time;
 * - cached: every call asks for one of 64 keys another client keeps
 *   subscribed, so the server has its result and runs nothing. Each
 *   client takes the held keys in turn: asked twice running for the same
 *   key, the official client would answer the second call from its own
 *   copy, which the server's removal has not reached yet.
 *
 * The echo's frame is as large as all the server sent for one uncached
 * call (its Transitions), and goes both ways.
 */
import type { ConvexClient } from 'convex/browser';
import { makeFunctionReference } from 'convex/server';
import { withBaselineServer } from '../baseline-server.ts';
import { echoLoop } from '../echo-loop.ts';
import { type ThroughputResult, closedLoop } from '../closed-loop.ts';
import { frameMeter, receivedBytesPerOp } from '../frame-meter.ts';
import { fmtMs, fmtRate, fmtRatio, markdownTable } from '../markdown-table.ts';
import { closeClients, openClient, watch } from '../official-clients.ts';
import {
  type ServerUnderTest,
  withServerUnderTest,
} from '../server-under-test.ts';
import type { Timing } from '../timing.ts';

const get = makeFunctionReference<
  'query',
  { key: string },
  { key: string; body: string } | null
>('items:get');
const seed = makeFunctionReference<
  'mutation',
  { from: number; count: number; body: string },
  null
>('items:seed');

export interface QueryRoundTripRow {
  clients: number;
  uncached: ThroughputResult;
  cached: ThroughputResult;
  echo: ThroughputResult;
  /** Calls per second over echoes per second. */
  uncachedRatio: number;
  cachedRatio: number;
}

export interface QueryRoundTripResult {
  seededItems: number;
  /** The echo's frame: all the server sent for one uncached call. */
  frameBytes: number;
  rows: QueryRoundTripRow[];
}

const CLIENT_COUNTS = [1, 16];
/** About as many documents as each mode makes uncached calls (a few thousand a second). */
const SEEDED_ITEMS = { quick: 20_000, full: 150_000 };
/** Documents per seeding mutation: one transaction of under a megabyte. */
const SEED_BATCH = 5_000;
const HELD_KEYS = 64;
const BODY = 'hello world, a small document';

export async function benchQueryRoundTrip(options: {
  full: boolean;
  timing: Timing;
}): Promise<QueryRoundTripResult> {
  const seededItems = SEEDED_ITEMS[options.full ? 'full' : 'quick'];
  return withServerUnderTest((server) =>
    withBaselineServer(async (raw) => {
      const seeder = openClient(server.url);
      for (let from = 0; from < seededItems; from += SEED_BATCH)
        await seeder.mutation(seed, { from, count: SEED_BATCH, body: BODY });
      const held = Array.from({ length: HELD_KEYS }, (_, i) =>
        watch(seeder, get, { key: `item-${i}` }),
      );
      await Promise.all(held.map((w) => w.next(() => true)));

      let nextKey = HELD_KEYS;
      const meter = frameMeter();
      const probe = openClient(server.url, meter);
      const frameBytes = await receivedBytesPerOp(meter, 50, () =>
        probe.query(get, { key: `item-${nextKey++}` }),
      );
      await probe.close();

      const rows: QueryRoundTripRow[] = [];
      for (const clients of CLIENT_COUNTS) {
        const convex = Array.from({ length: clients }, () =>
          openClient(server.url),
        );
        const uncached = await callLoop(server, convex, options.timing, () => ({
          key: `item-${nextKey++}`,
        }));
        const turns = new Array<number>(clients).fill(0);
        const cached = await callLoop(server, convex, options.timing, (w) => {
          const turn = (turns[w] ?? 0) + 1;
          turns[w] = turn;
          return { key: `item-${(w + turn) % HELD_KEYS}` };
        });
        await closeClients(convex);
        const echo = await echoLoop(raw, '/echo', {
          sockets: clients,
          frameBytes,
          timing: options.timing,
        });
        rows.push({
          clients,
          uncached,
          cached,
          echo,
          uncachedRatio: uncached.opsPerSecond / echo.opsPerSecond,
          cachedRatio: cached.opsPerSecond / echo.opsPerSecond,
        });
      }
      for (const w of held) w.stop();
      await seeder.close();
      return { seededItems, frameBytes, rows };
    }),
  );
}

function callLoop(
  server: ServerUnderTest,
  clients: ConvexClient[],
  timing: Timing,
  args: (worker: number) => { key: string },
): Promise<ThroughputResult> {
  return closedLoop({
    ...timing,
    workers: clients.length,
    serverCpuMs: server.cpuMs,
    op: async (worker) => {
      const client = clients[worker];
      if (!client) throw new Error(`no client ${worker}`);
      await client.query(get, args(worker));
    },
  });
}

export function queryRoundTripMarkdown(result: QueryRoundTripResult): string {
  const rows = result.rows.flatMap((row) => [
    [
      `${row.clients} uncached`,
      fmtRate(row.uncached.opsPerSecond),
      fmtMs(row.uncached.latency.p50Ms),
      fmtMs(row.uncached.latency.p99Ms),
      fmtMs(row.uncached.serverCpuMsPerOp, 3),
      fmtMs(row.uncached.benchCpuMsPerOp, 3),
      fmtRate(row.echo.opsPerSecond),
      fmtMs(row.echo.latency.p50Ms),
      fmtRatio(row.uncachedRatio),
    ],
    [
      `${row.clients} cached`,
      fmtRate(row.cached.opsPerSecond),
      fmtMs(row.cached.latency.p50Ms),
      fmtMs(row.cached.latency.p99Ms),
      fmtMs(row.cached.serverCpuMsPerOp, 3),
      fmtMs(row.cached.benchCpuMsPerOp, 3),
      fmtRate(row.echo.opsPerSecond),
      fmtMs(row.echo.latency.p50Ms),
      fmtRatio(row.cachedRatio),
    ],
  ]);
  return markdownTable(
    [
      'clients',
      'calls/s',
      'p50',
      'p99',
      'server CPU/call',
      'bench CPU/call',
      `echo/s (${result.frameBytes} B)`,
      'echo p50',
      'ratio',
    ],
    rows,
  );
}
