/**
 * One write fanned out to N subscribers of one query, the measurement W5
 * and W9 share. A sample is the time from the mutation call to the moment
 * the last of N `ConvexClient`s (one socket each) sees the write in its
 * subscription. The baseline is a raw uWS publish: a frame as large as one
 * subscriber's update, sent on one `ws` socket and published through a
 * uWS topic to N `ws` sockets; a sample is send to the last receipt.
 *
 * The N clients share this process, so with many of them the clients'
 * own work (decoding and applying N Transitions) can be what the time
 * measures: the bench CPU per write says when it is.
 */
import type { ConvexClient } from 'convex/browser';
import type { FunctionReference } from 'convex/server';
import { performance } from 'node:perf_hooks';
import type { BaselineServer } from '../baseline-server.ts';
import { frameMeter } from '../frame-meter.ts';
import { type LatencySummary, summarizeLatencies } from '../latency-summary.ts';
import { closeClients, openClient, openWatchers } from '../official-clients.ts';
import { ownCpuMs } from '../process-usage.ts';
import { openRawSocket, openRawSockets, paddedFrame } from '../raw-sockets.ts';
import type { ServerUnderTest } from '../server-under-test.ts';
import { OPERATION_LIMIT_MS, within } from '../within.ts';

export interface FanOutOptions<Args extends Record<string, unknown>, T> {
  subscribers: number;
  warmupWrites: number;
  writes: number;
  query: FunctionReference<'query', 'public', Args, T>;
  args: Args;
  /** The `i`th write (counting from 1), by the writing client. */
  write: (writer: ConvexClient, i: number) => Promise<unknown>;
  /** Whether a subscription value shows the `i`th write. */
  shows: (value: T, i: number) => boolean;
}

export interface FanOutResult {
  subscribers: number;
  writes: number;
  converge: LatencySummary;
  publish: LatencySummary;
  /** What one subscriber received per write, and the size of the published frame. */
  updateBytes: number;
  serverCpuMsPerWrite: number;
  benchCpuMsPerWrite: number;
  publishServerCpuMsPerWrite: number;
  /** Converge's p50 to the last subscriber over the publish p50. */
  p50Ratio: number;
}

export async function measureFanOut<Args extends Record<string, unknown>, T>(
  server: ServerUnderTest,
  raw: BaselineServer,
  options: FanOutOptions<Args, T>,
): Promise<FanOutResult> {
  const converge = await convergeFanOut(server, options);
  const publish = await publishFanOut(raw, converge.updateBytes, options);
  return {
    subscribers: options.subscribers,
    writes: options.writes,
    converge: converge.latency,
    publish: publish.latency,
    updateBytes: converge.updateBytes,
    serverCpuMsPerWrite: converge.serverCpuMsPerWrite,
    benchCpuMsPerWrite: converge.benchCpuMsPerWrite,
    publishServerCpuMsPerWrite: publish.serverCpuMsPerWrite,
    p50Ratio: converge.latency.p50Ms / publish.latency.p50Ms,
  };
}

async function convergeFanOut<Args extends Record<string, unknown>, T>(
  server: ServerUnderTest,
  options: FanOutOptions<Args, T>,
) {
  const meter = frameMeter();
  const writer = openClient(server.url);
  const clients: ConvexClient[] = [];
  try {
    const watches = await openWatchers(
      options.subscribers,
      () => openClient(server.url, meter),
      options.query,
      () => options.args,
      clients,
    );
    let i = 0;
    const sample = async (): Promise<number> => {
      i += 1;
      const n = i;
      const start = performance.now();
      const seen = Promise.all(
        watches.map((w) => w.next((value) => options.shows(value, n))),
      );
      await options.write(writer, n);
      await within(seen, OPERATION_LIMIT_MS, `write ${n} at every subscriber`);
      return performance.now() - start;
    };
    for (let w = 0; w < options.warmupWrites; w++) await sample();
    const bytesBefore = meter.receivedBytes();
    const serverBefore = server.cpuMs();
    const benchBefore = ownCpuMs();
    const times: number[] = [];
    for (let w = 0; w < options.writes; w++) times.push(await sample());
    const result = {
      latency: summarizeLatencies(times),
      updateBytes: Math.round(
        (meter.receivedBytes() - bytesBefore) /
          (options.writes * options.subscribers),
      ),
      serverCpuMsPerWrite: (server.cpuMs() - serverBefore) / options.writes,
      benchCpuMsPerWrite: (ownCpuMs() - benchBefore) / options.writes,
    };
    for (const w of watches) w.stop();
    return result;
  } finally {
    await closeClients([writer, ...clients]);
  }
}

async function publishFanOut(
  raw: BaselineServer,
  frameBytes: number,
  options: { subscribers: number; warmupWrites: number; writes: number },
) {
  const sender = await openRawSocket(raw.wsUrl('/publish/send'));
  const readers = await openRawSockets(
    raw.wsUrl('/publish/subscribe'),
    options.subscribers,
  );
  const frame = paddedFrame(frameBytes);
  try {
    const sample = async (): Promise<number> => {
      const start = performance.now();
      const arrived = Promise.all(
        readers.map((r) => r.until(r.received() + 1)),
      );
      sender.send(frame);
      await within(arrived, OPERATION_LIMIT_MS, 'a published frame');
      return performance.now() - start;
    };
    for (let w = 0; w < options.warmupWrites; w++) await sample();
    const serverBefore = raw.cpuMs();
    const times: number[] = [];
    for (let w = 0; w < options.writes; w++) times.push(await sample());
    return {
      latency: summarizeLatencies(times),
      serverCpuMsPerWrite: (raw.cpuMs() - serverBefore) / options.writes,
    };
  } finally {
    for (const socket of [sender, ...readers]) socket.close();
  }
}
