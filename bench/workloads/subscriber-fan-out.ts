/**
 * W5, one write fanned out to 100, 1,000 and (full mode) 5,000
 * subscribers of one query (fan-out.ts): a counter incremented by one
 * client, watched (`counters:get`) by N others, next to a raw uWS publish
 * of a frame of the same size to N sockets.
 *
 * Target (issue 8): at 1,000 subscribers, the last one updated within 3×
 * the raw publish time (p50 against p50).
 */
import { makeFunctionReference } from 'convex/server';
import { withBaselineServer } from '../baseline-server.ts';
import { fmtBytes, fmtMs, fmtRatio, markdownTable } from '../markdown-table.ts';
import { withServerUnderTest } from '../server-under-test.ts';
import { type Target, target } from '../target.ts';
import { type FanOutResult, measureFanOut } from './fan-out.ts';

const increment = makeFunctionReference<'mutation', { name: string }, null>(
  'counters:increment',
);
const get = makeFunctionReference<'query', { name: string }, number>(
  'counters:get',
);

export interface SubscriberFanOutResult {
  rows: FanOutResult[];
}

const SIZES = {
  quick: { subscribers: [100, 1000], warmupWrites: 3, writes: 20 },
  full: { subscribers: [100, 1000, 5000], warmupWrites: 5, writes: 50 },
};

export async function benchSubscriberFanOut(options: {
  full: boolean;
}): Promise<SubscriberFanOutResult> {
  const sizes = SIZES[options.full ? 'full' : 'quick'];
  return withServerUnderTest((server) =>
    withBaselineServer(async (raw) => {
      const rows: FanOutResult[] = [];
      for (const subscribers of sizes.subscribers) {
        const name = `fan-out-${subscribers}`;
        rows.push(
          await measureFanOut(server, raw, {
            subscribers,
            warmupWrites: sizes.warmupWrites,
            writes: sizes.writes,
            query: get,
            args: { name },
            write: (writer) => writer.mutation(increment, { name }),
            shows: (value, i) => value >= i,
          }),
        );
      }
      return { rows };
    }),
  );
}

export function subscriberFanOutMarkdown(
  result: SubscriberFanOutResult,
): string {
  return markdownTable(
    [
      'subscribers',
      'to the last, p50',
      'max',
      'server CPU/write',
      'bench CPU/write',
      'publish p50',
      'publish max',
      'update',
      'ratio (p50)',
    ],
    result.rows.map((row) => [
      `${row.subscribers.toLocaleString('en-US')} (${row.writes} writes)`,
      fmtMs(row.converge.p50Ms),
      fmtMs(row.converge.maxMs),
      fmtMs(row.serverCpuMsPerWrite),
      fmtMs(row.benchCpuMsPerWrite),
      fmtMs(row.publish.p50Ms),
      fmtMs(row.publish.maxMs),
      fmtBytes(row.updateBytes),
      fmtRatio(row.p50Ratio),
    ]),
  );
}

export function subscriberFanOutTargets(
  result: SubscriberFanOutResult | undefined,
): Target[] {
  return [
    target(
      {
        id: 'W5.1000',
        description:
          'one write to the last of 1,000 subscribers, p50 over the raw publish p50',
        target: 3,
        comparison: '<=',
        unit: '×',
      },
      result?.rows.find((row) => row.subscribers === 1000)?.p50Ratio,
    ),
  ];
}
