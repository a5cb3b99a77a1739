/**
 * The sync worker, measured with the official client against a real
 * Converge server (the `startServer` of `converge serve`, over
 * test/apps/basic on SQLite), each figure next to a raw uWebSockets.js
 * baseline run in the same process:
 *
 * - mutation → subscriber latency: a `ConvexClient` increments a counter
 *   and another client's subscription sees it, vs a uWS relay passing a
 *   frame of the same size from one socket to another;
 * - fan-out: one write seen by N subscribers of one query, vs a uWS
 *   publish of a frame of the same size to N sockets;
 * - memory: the heap that 10,000 distinct subscriptions add to the process
 *   (the server and the one client holding them).
 *
 * Everything runs in one process, clients included, so the ratios compare
 * like with like; absolute figures include the client's own work.
 */
import { ConvexClient } from 'convex/browser';
import { makeFunctionReference } from 'convex/server';
import WebSocket from 'ws';
import type { RunningServer } from '../src/cli/start-server.ts';
import { withBenchServer } from './bench-server.ts';
import { uws } from '../src/ws/uws.ts';

const increment = makeFunctionReference<'mutation', { name: string }, null>(
  'counters:increment',
);
const get = makeFunctionReference<'query', { name: string }, number>(
  'counters:get',
);

export interface Percentiles {
  p50Ms: number;
  p99Ms: number;
}

export interface SyncBenchResult {
  latency: { samples: number; converge: Percentiles; relay: Percentiles };
  fanOut: {
    subscribers: number;
    writes: number;
    converge: Percentiles;
    publish: Percentiles;
  };
  memory: { subscriptions: number; bytesPerSubscription: number };
}

export async function benchSync(options: {
  full: boolean;
}): Promise<SyncBenchResult> {
  const samples = options.full ? 2000 : 200;
  const subscribers = options.full ? 1000 : 200;
  const writes = options.full ? 50 : 10;
  const subscriptions = 10_000;
  return {
    latency: {
      samples,
      converge: await withBenchServer((server) =>
        convergeLatency(server, samples),
      ),
      relay: await relayLatency(samples),
    },
    fanOut: {
      subscribers,
      writes,
      converge: await withBenchServer((server) =>
        convergeFanOut(server, subscribers, writes),
      ),
      publish: await publishFanOut(subscribers, writes),
    },
    memory: {
      subscriptions,
      bytesPerSubscription: await withBenchServer((server) =>
        subscriptionMemory(server, subscriptions),
      ),
    },
  };
}

/** Resolves when `client`'s subscription to counter `name` shows a value passing `until`. */
function watch(
  client: ConvexClient,
  name: string,
): { next(until: (value: number) => boolean): Promise<void>; stop(): void } {
  let value = -1;
  let waiter: { until: (v: number) => boolean; resolve(): void } | null = null;
  const stop = client.onUpdate(get, { name }, (v) => {
    value = v;
    if (waiter?.until(v)) {
      waiter.resolve();
      waiter = null;
    }
  });
  return {
    next: (until) =>
      until(value)
        ? Promise.resolve()
        : new Promise((resolve) => {
            waiter = { until, resolve };
          }),
    stop,
  };
}

async function convergeLatency(
  server: RunningServer,
  samples: number,
): Promise<Percentiles> {
  const writer = new ConvexClient(server.url);
  const reader = new ConvexClient(server.url);
  const counter = watch(reader, 'latency');
  await counter.next((v) => v === 0);
  const times: number[] = [];
  try {
    for (let i = 1; i <= samples; i++) {
      const start = performance.now();
      const seen = counter.next((v) => v >= i);
      await writer.mutation(increment, { name: 'latency' });
      await seen;
      times.push(performance.now() - start);
    }
  } finally {
    counter.stop();
    await writer.close();
    await reader.close();
  }
  return percentiles(times);
}

async function convergeFanOut(
  server: RunningServer,
  subscribers: number,
  writes: number,
): Promise<Percentiles> {
  const writer = new ConvexClient(server.url);
  const clients = Array.from(
    { length: subscribers },
    () => new ConvexClient(server.url),
  );
  const counters = clients.map((client) => watch(client, 'fan-out'));
  await Promise.all(counters.map((c) => c.next((v) => v === 0)));
  const times: number[] = [];
  try {
    for (let i = 1; i <= writes; i++) {
      const start = performance.now();
      const seen = Promise.all(counters.map((c) => c.next((v) => v >= i)));
      await writer.mutation(increment, { name: 'fan-out' });
      await seen;
      times.push(performance.now() - start);
    }
  } finally {
    for (const counter of counters) counter.stop();
    await Promise.all([writer, ...clients].map((client) => client.close()));
  }
  return percentiles(times);
}

async function subscriptionMemory(
  server: RunningServer,
  subscriptions: number,
): Promise<number> {
  const client = new ConvexClient(server.url);
  const settle = async () => {
    globalThis.gc?.();
    await new Promise((resolve) => setTimeout(resolve, 50));
    globalThis.gc?.();
    return process.memoryUsage().heapUsed;
  };
  const ready = watch(client, 'memory-0');
  await ready.next((v) => v === 0);
  const before = await settle();
  const watches = Array.from({ length: subscriptions }, (_, i) =>
    watch(client, `memory-${i + 1}`),
  );
  await Promise.all(watches.map((w) => w.next((v) => v === 0)));
  if (server.sync.distinctQueries < subscriptions)
    throw new Error(`only ${server.sync.distinctQueries} queries are held`);
  const after = await settle();
  for (const w of [ready, ...watches]) w.stop();
  await client.close();
  return Math.round((after - before) / subscriptions);
}

/** A uWS server that hands every frame it gets to every other socket, or publishes it to all. */
async function rawServer(
  mode: 'relay' | 'publish',
): Promise<{ url: string; close(): void }> {
  const app = uws.App().ws('/*', {
    open: (ws) => {
      ws.subscribe('all');
    },
    message: (ws, message) => {
      if (mode === 'publish') app.publish('all', message, false);
      else ws.publish('all', message, false);
    },
  });
  const socket = await new Promise<unknown>((resolve, reject) => {
    app.listen('127.0.0.1', 0, (listen) =>
      listen ? resolve(listen) : reject(new Error('cannot listen')),
    );
  });
  const listen = socket as Parameters<typeof uws.us_socket_local_port>[0];
  return {
    url: `ws://127.0.0.1:${uws.us_socket_local_port(listen)}/`,
    close: () => uws.us_listen_socket_close(listen),
  };
}

function openSocket(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    socket.once('open', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** A frame the size of a counter's Transition: what the Converge path carries to the reader. */
const FRAME = JSON.stringify({
  type: 'Transition',
  startVersion: { querySet: 1, identity: 0, ts: 'AAAAAAAAAAA=' },
  endVersion: { querySet: 1, identity: 0, ts: 'AAAAAAAAAAA=' },
  modifications: [
    {
      type: 'QueryUpdated',
      queryId: 0,
      value: 1,
      logLines: [],
      journal: null,
    },
  ],
  clientClockSkew: null,
  serverTs: 0,
});

async function relayLatency(samples: number): Promise<Percentiles> {
  const server = await rawServer('relay');
  const writer = await openSocket(server.url);
  const reader = await openSocket(server.url);
  const times: number[] = [];
  try {
    for (let i = 0; i < samples; i++) {
      const start = performance.now();
      const received = new Promise((resolve) =>
        reader.once('message', resolve),
      );
      writer.send(FRAME);
      await received;
      times.push(performance.now() - start);
    }
  } finally {
    writer.close();
    reader.close();
    server.close();
  }
  return percentiles(times);
}

async function publishFanOut(
  subscribers: number,
  writes: number,
): Promise<Percentiles> {
  const server = await rawServer('publish');
  const writer = await openSocket(server.url);
  const readers = await Promise.all(
    Array.from({ length: subscribers }, () => openSocket(server.url)),
  );
  const times: number[] = [];
  try {
    for (let i = 0; i < writes; i++) {
      const start = performance.now();
      const received = Promise.all(
        readers.map(
          (r) => new Promise((resolve) => r.once('message', resolve)),
        ),
      );
      writer.send(FRAME);
      await received;
      times.push(performance.now() - start);
    }
  } finally {
    for (const socket of [writer, ...readers]) socket.close();
    server.close();
  }
  return percentiles(times);
}

function percentiles(times: number[]): Percentiles {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (q: number) =>
    sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return { p50Ms: round(at(0.5)), p99Ms: round(at(0.99)) };
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
