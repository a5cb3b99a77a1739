/**
 * W6, the cost of precise invalidation: W4's mutation-to-subscriber
 * latency (update-latency.ts) measured on one server (after a first pass,
 * not reported, that warms it), in cycles of first alone, then with
 * 10,000 unrelated subscriptions open on the same index: `counters:get`
 * of 10,000 other names, held by 10 bare-protocol sessions of 1,000
 * queries each (test/reliability/raw-session.ts). Every write then meets 10,000 read
 * sets of the same index that it does not touch.
 *
 * Target (issue 8): the unrelated subscriptions add less than 10% to the
 * p50.
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fmtMs, fmtPercent, markdownTable } from '../markdown-table.ts';
import { median } from '../measure.ts';
import {
  type RawSession,
  openRawSession,
} from '../../test/reliability/raw-session.ts';
import {
  type ServerUnderTest,
  withServerUnderTest,
} from '../server-under-test.ts';
import { type Target, target } from '../target.ts';
import { OPERATION_LIMIT_MS, within } from '../within.ts';
import {
  type LatencySamples,
  type UpdateLatency,
  updateLatency,
} from './update-latency.ts';

export interface UnrelatedSubscriptionsCycle {
  alone: UpdateLatency;
  withUnrelated: UpdateLatency;
  /** Subscriptions the server reported holding (`converge_sync_subscriptions`) with them open. */
  heldByServer: number;
  /** Seconds the server took to run and send the unrelated queries. */
  subscribeSeconds: number;
  /** How much the unrelated subscriptions added to the p50, as a fraction of it alone. */
  p50Increase: number;
  p99Increase: number;
}

export interface UnrelatedSubscriptionsResult {
  unrelated: number;
  cycles: UnrelatedSubscriptionsCycle[];
  /** The median over the cycles. */
  p50Increase: number;
  p99Increase: number;
}

const UNRELATED = 10_000;
const SESSIONS = 10;
/**
 * Alone-then-with cycles, each ratio taken within its cycle: on a shared
 * machine a single pair moves by ±10%, the size of the effect measured.
 */
const CYCLES = { quick: 3, full: 5 };
/** How long the server may take to drop the closed sessions' subscriptions. */
const DROP_LIMIT_MS = 10_000;

export async function benchUnrelatedSubscriptions(options: {
  full: boolean;
  samples: LatencySamples;
}): Promise<UnrelatedSubscriptionsResult> {
  return withServerUnderTest(async (server) => {
    // A first pass warms the server, so that "alone" is not also "cold".
    await updateLatency(server, 'watched', options.samples);
    const cycles: UnrelatedSubscriptionsCycle[] = [];
    for (let c = 0; c < CYCLES[options.full ? 'full' : 'quick']; c++)
      cycles.push(await cycle(server, options.samples));
    return {
      unrelated: UNRELATED,
      cycles,
      p50Increase: median(cycles.map((c) => c.p50Increase)),
      p99Increase: median(cycles.map((c) => c.p99Increase)),
    };
  });
}

async function cycle(
  server: ServerUnderTest,
  samples: LatencySamples,
): Promise<UnrelatedSubscriptionsCycle> {
  const alone = await updateLatency(server, 'watched', samples);
  const perSession = UNRELATED / SESSIONS;
  const started = performance.now();
  const sessions: RawSession[] = Array.from({ length: SESSIONS }, (_, s) =>
    openRawSession(
      server.url,
      Array.from({ length: perSession }, (_, q) => ({
        udfPath: 'counters:get',
        args: { name: `unrelated-${s * perSession + q}` },
      })),
    ),
  );
  try {
    await within(
      Promise.all(sessions.map((s) => s.subscribed)),
      OPERATION_LIMIT_MS * 4,
      `${UNRELATED} unrelated subscriptions`,
    );
    const subscribeSeconds = (performance.now() - started) / 1000;
    const heldByServer = await server.metric('converge_sync_subscriptions');
    const withUnrelated = await updateLatency(server, 'watched', samples);
    return {
      alone,
      withUnrelated,
      heldByServer,
      subscribeSeconds,
      p50Increase: withUnrelated.latency.p50Ms / alone.latency.p50Ms - 1,
      p99Increase: withUnrelated.latency.p99Ms / alone.latency.p99Ms - 1,
    };
  } finally {
    for (const session of sessions) session.close();
    await dropped(server);
  }
}

/** Resolves once the server holds none of the closed sessions' subscriptions. */
async function dropped(server: ServerUnderTest): Promise<void> {
  const deadline = performance.now() + DROP_LIMIT_MS;
  while ((await server.metric('converge_sync_subscriptions')) > 0) {
    if (performance.now() > deadline)
      throw new Error('the server still holds the closed subscriptions');
    await sleep(50);
  }
}

export function unrelatedSubscriptionsMarkdown(
  result: UnrelatedSubscriptionsResult,
): string {
  const rows = result.cycles.map((c, i) => [
    String(i + 1),
    fmtMs(c.alone.latency.p50Ms, 3),
    fmtMs(c.withUnrelated.latency.p50Ms, 3),
    fmtPercent(c.p50Increase),
    fmtMs(c.alone.latency.p99Ms, 3),
    fmtMs(c.withUnrelated.latency.p99Ms, 3),
    fmtPercent(c.p99Increase),
    fmtMs(c.alone.serverCpuMsPerUpdate, 3),
    fmtMs(c.withUnrelated.serverCpuMsPerUpdate, 3),
  ]);
  const held = result.cycles.map((c) => c.heldByServer.toLocaleString('en-US'));
  const seconds = result.cycles.map((c) => c.subscribeSeconds.toFixed(1));
  return (
    markdownTable(
      [
        'cycle',
        'p50 alone',
        'p50 with',
        'added',
        'p99 alone',
        'p99 with',
        'added',
        'server CPU/update alone',
        'with',
      ],
      [
        ...rows,
        [
          'median',
          '',
          '',
          fmtPercent(result.p50Increase),
          '',
          '',
          fmtPercent(result.p99Increase),
          '',
          '',
        ],
      ],
    ) +
    `\nThe ${result.unrelated.toLocaleString('en-US')} unrelated subscriptions: ${SESSIONS} bare-protocol sessions of ${UNRELATED / SESSIONS} \`counters:get\` queries each; ` +
    `the server held ${held.join(', ')} subscriptions, subscribed in ${seconds.join(', ')} s.\n`
  );
}

export function unrelatedSubscriptionsTargets(
  result: UnrelatedSubscriptionsResult | undefined,
): Target[] {
  return [
    target(
      {
        id: 'W6.p50',
        description:
          'what 10,000 unrelated subscriptions on the same index add to the mutation-to-subscriber p50',
        target: 0.1,
        comparison: '<',
        unit: 'fraction',
      },
      result?.p50Increase,
    ),
  ];
}
