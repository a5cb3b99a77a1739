/**
 * W4, mutation-to-subscriber latency (update-latency.ts): p50 and p99 of
 * the official client's increment reaching another client's subscription,
 * next to a raw uWS relay of frames of the watcher's update size.
 *
 * Targets (issue 8): p50 within 5× and p99 within 10× the relay.
 */
import { withBaselineServer } from '../baseline-server.ts';
import type { LatencySummary } from '../latency-summary.ts';
import { fmtMs, fmtRatio, markdownTable } from '../markdown-table.ts';
import { withServerUnderTest } from '../server-under-test.ts';
import { type Target, target } from '../target.ts';
import {
  type LatencySamples,
  type UpdateLatency,
  relayLatency,
  updateLatency,
} from './update-latency.ts';

export interface SubscriberLatencyResult {
  converge: UpdateLatency;
  relay: LatencySummary;
  p50Ratio: number;
  p99Ratio: number;
}

export async function benchSubscriberLatency(options: {
  samples: LatencySamples;
}): Promise<SubscriberLatencyResult> {
  const converge = await withServerUnderTest((server) =>
    updateLatency(server, 'latency', options.samples),
  );
  const relay = await withBaselineServer((raw) =>
    relayLatency(raw, converge.frameBytes, options.samples),
  );
  return {
    converge,
    relay,
    p50Ratio: converge.latency.p50Ms / relay.p50Ms,
    p99Ratio: converge.latency.p99Ms / relay.p99Ms,
  };
}

export function subscriberLatencyMarkdown(
  result: SubscriberLatencyResult,
): string {
  const { converge, relay } = result;
  return markdownTable(
    ['percentile', 'Converge', `raw relay (${converge.frameBytes} B)`, 'ratio'],
    [
      [
        `p50 (${converge.latency.samples} samples)`,
        fmtMs(converge.latency.p50Ms, 3),
        fmtMs(relay.p50Ms, 3),
        fmtRatio(result.p50Ratio),
      ],
      [
        'p99',
        fmtMs(converge.latency.p99Ms, 3),
        fmtMs(relay.p99Ms, 3),
        fmtRatio(result.p99Ratio),
      ],
      [
        'server CPU per update',
        fmtMs(converge.serverCpuMsPerUpdate, 3),
        '',
        '',
      ],
      [
        'bench CPU per update (both clients)',
        fmtMs(converge.benchCpuMsPerUpdate, 3),
        '',
        '',
      ],
    ],
  );
}

export function subscriberLatencyTargets(
  result: SubscriberLatencyResult | undefined,
): Target[] {
  return [
    target(
      {
        id: 'W4.p50',
        description: 'mutation-to-subscriber p50 over the raw relay p50',
        target: 5,
        comparison: '<=',
        unit: '×',
      },
      result?.p50Ratio,
    ),
    target(
      {
        id: 'W4.p99',
        description: 'mutation-to-subscriber p99 over the raw relay p99',
        target: 10,
        comparison: '<=',
        unit: '×',
      },
      result?.p99Ratio,
    ),
  ];
}
