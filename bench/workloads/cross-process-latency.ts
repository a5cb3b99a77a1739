/**
 * Cross-process mutation-to-subscriber latency: W4's measurement
 * (update-latency.ts) with the writer and the watcher on different
 * processes of a server group. Writer `j` is a `ConvexClient` of process
 * `j` incrementing its own counter; its watcher is a client of the next
 * process (`j + 1`, wrapping), so every process both sends and receives
 * and every sample crosses from one process to another through
 * PostgreSQL's NOTIFY and the commit log. With one process the writer and
 * the watcher share it, and the figure is W4's on PostgreSQL.
 *
 * A sample is the time from the mutation call to the watcher's update
 * showing the new value. Samples go to the pairs in turn, one at a time,
 * after a warm-up, and are pooled.
 */
import { makeFunctionReference } from 'convex/server';
import type { ConvexClient } from 'convex/browser';
import { performance } from 'node:perf_hooks';
import { type LatencySummary, sampleLatencies } from '../latency-summary.ts';
import {
  type Watch,
  closeClients,
  openClient,
  watch,
} from '../official-clients.ts';
import type { ServerGroup } from '../server-group.ts';
import { OPERATION_LIMIT_MS, within } from '../within.ts';
import type { LatencySamples } from './update-latency.ts';

const increment = makeFunctionReference<'mutation', { name: string }, null>(
  'counters:increment',
);
const get = makeFunctionReference<'query', { name: string }, number>(
  'counters:get',
);

interface Pair {
  writer: ConvexClient;
  watched: Watch<number>;
  counter: string;
}

export async function crossProcessLatency(
  group: ServerGroup,
  samples: LatencySamples,
): Promise<LatencySummary> {
  const { servers } = group;
  const clients: ConvexClient[] = [];
  const pairs: Pair[] = servers.map((server, j) => {
    const watcherOn = servers[(j + 1) % servers.length] ?? server;
    const writer = openClient(server.url);
    const reader = openClient(watcherOn.url);
    clients.push(writer, reader);
    const counter = `cross-${j}`;
    return { writer, watched: watch(reader, get, { name: counter }), counter };
  });
  try {
    await within(
      Promise.all(pairs.map((p) => p.watched.next(() => true))),
      OPERATION_LIMIT_MS,
      'the watchers’ first results',
    );
    let n = 0;
    const sample = async (): Promise<number> => {
      const pair = pairs[n++ % pairs.length];
      if (!pair) throw new Error('no writer and watcher');
      const target = (pair.watched.latest() ?? 0) + 1;
      const start = performance.now();
      const seen = pair.watched.next((v) => v >= target);
      await pair.writer.mutation(increment, { name: pair.counter });
      await within(
        seen,
        OPERATION_LIMIT_MS,
        `${pair.counter} reaching ${target} on the next process`,
      );
      return performance.now() - start;
    };
    return await sampleLatencies(sample, samples);
  } finally {
    for (const pair of pairs) pair.watched.stop();
    await closeClients(clients);
  }
}
