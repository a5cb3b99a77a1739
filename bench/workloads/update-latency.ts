/**
 * Mutation-to-subscriber latency, the measurement W4 and W6 share: one
 * `ConvexClient` increments a counter, another watches it
 * (`counters:get`); a sample is the time from the mutation call to the
 * watcher's update showing the new value. The baseline is a raw uWS relay:
 * one `ws` socket sends a frame as large as the watcher's update, the
 * server forwards it to another socket; a sample is send to receipt.
 *
 * Samples are taken one at a time, after a warm-up, in rounds, and pooled.
 */
import { makeFunctionReference } from 'convex/server';
import { performance } from 'node:perf_hooks';
import type { BaselineServer } from '../baseline-server.ts';
import { frameMeter } from '../frame-meter.ts';
import {
  type LatencySummary,
  sampleLatencies,
  summarizeLatencies,
} from '../latency-summary.ts';
import { closeClients, openClient, watch } from '../official-clients.ts';
import { ownCpuMs } from '../process-usage.ts';
import { openRawSocket, paddedFrame } from '../raw-sockets.ts';
import type { ServerUnderTest } from '../server-under-test.ts';
import { OPERATION_LIMIT_MS, within } from '../within.ts';

const increment = makeFunctionReference<'mutation', { name: string }, null>(
  'counters:increment',
);
const get = makeFunctionReference<'query', { name: string }, number>(
  'counters:get',
);

export interface LatencySamples {
  warmup: number;
  perRound: number;
  rounds: number;
}

export const samplesByMode: Record<'quick' | 'full', LatencySamples> = {
  quick: { warmup: 100, perRound: 200, rounds: 3 },
  full: { warmup: 300, perRound: 1000, rounds: 5 },
};

export interface UpdateLatency {
  latency: LatencySummary;
  /** The bytes the watcher received per update. */
  frameBytes: number;
  serverCpuMsPerUpdate: number;
  benchCpuMsPerUpdate: number;
}

export async function updateLatency(
  server: ServerUnderTest,
  counter: string,
  samples: LatencySamples,
): Promise<UpdateLatency> {
  const meter = frameMeter();
  const writer = openClient(server.url);
  const reader = openClient(server.url, meter);
  const watched = watch(reader, get, { name: counter });
  try {
    await watched.next(() => true);
    let value = watched.latest() ?? 0;
    const sample = async (): Promise<number> => {
      value += 1;
      const target = value;
      const start = performance.now();
      const seen = watched.next((v) => v >= target);
      await writer.mutation(increment, { name: counter });
      await within(seen, OPERATION_LIMIT_MS, `the update to ${target}`);
      return performance.now() - start;
    };
    for (let i = 0; i < samples.warmup; i++) await sample();
    const bytesBefore = meter.receivedBytes();
    const serverBefore = server.cpuMs();
    const benchBefore = ownCpuMs();
    const times: number[] = [];
    for (let i = 0; i < samples.perRound * samples.rounds; i++)
      times.push(await sample());
    return {
      latency: summarizeLatencies(times),
      frameBytes: Math.round(
        (meter.receivedBytes() - bytesBefore) / times.length,
      ),
      serverCpuMsPerUpdate: (server.cpuMs() - serverBefore) / times.length,
      benchCpuMsPerUpdate: (ownCpuMs() - benchBefore) / times.length,
    };
  } finally {
    watched.stop();
    await closeClients([writer, reader]);
  }
}

export async function relayLatency(
  raw: BaselineServer,
  frameBytes: number,
  samples: LatencySamples,
): Promise<LatencySummary> {
  const writer = await openRawSocket(raw.wsUrl('/relay'));
  const reader = await openRawSocket(raw.wsUrl('/relay'));
  const frame = paddedFrame(frameBytes);
  try {
    const sample = async (): Promise<number> => {
      const start = performance.now();
      const arrived = reader.until(reader.received() + 1);
      writer.send(frame);
      await within(arrived, OPERATION_LIMIT_MS, 'a relayed frame');
      return performance.now() - start;
    };
    return await sampleLatencies(sample, samples);
  } finally {
    writer.close();
    reader.close();
  }
}
