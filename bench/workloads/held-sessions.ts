/**
 * W7, server memory per session and per subscription: the server's
 * resident set (VmRSS) with 10,000 idle sessions held, each with one
 * subscription, against the same server idle before them; then with
 * 10,000 more subscriptions on 10 sessions. The sessions are bare-protocol
 * sessions (test/reliability/raw-session.ts: `Connect`, one
 * `ModifyQuerySet`, as the official client opens a socket), since 10,000
 * official clients would load the bench process more than the server.
 * Every subscription is a distinct query (`counters:get` of its own name),
 * so nothing is shared between them.
 *
 * The resident set is what an operator pays for, garbage the collector
 * has not yet returned included; each reading is the median of five over
 * a second, taken once the server has been quiet for two.
 *
 * Target (issue 8): at most 10 KB (10,240 bytes) per idle session with
 * one subscription.
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  type RawSession,
  openRawSession,
} from '../../test/reliability/raw-session.ts';
import { fmtBytes, markdownTable } from '../markdown-table.ts';
import { median } from '../measure.ts';
import {
  type ServerUnderTest,
  withServerUnderTest,
} from '../server-under-test.ts';
import { type Target, target } from '../target.ts';
import { OPERATION_LIMIT_MS, within } from '../within.ts';

export interface HeldSessionsResult {
  sessions: number;
  extraSubscriptions: number;
  idleRssBytes: number;
  withSessionsRssBytes: number;
  withSubscriptionsRssBytes: number;
  bytesPerSession: number;
  bytesPerSubscription: number;
  /** What the server reported holding (`/metrics`), once everything was open. */
  connections: number;
  subscriptions: number;
  openSeconds: number;
}

const SESSIONS = 10_000;
const EXTRA_SUBSCRIPTIONS = 10_000;
const EXTRA_SESSIONS = 10;
/** Sessions opened at once: a burst the listener's backlog takes without refusing any. */
const BATCH = 250;

export async function benchHeldSessions(): Promise<HeldSessionsResult> {
  return withServerUnderTest(async (server) => {
    const sessions: RawSession[] = [];
    const extra: RawSession[] = [];
    try {
      // Warm the server's paths (and its allocator) with one session first.
      const first = openRawSession(server.url, {
        udfPath: 'counters:get',
        args: { name: 'warm-up' },
      });
      await within(first.subscribed, OPERATION_LIMIT_MS, 'a first session');
      first.close();
      const idleRssBytes = await quietRss(server);

      const started = performance.now();
      for (let i = 0; i < SESSIONS; i += BATCH) {
        const batch = Array.from(
          { length: Math.min(BATCH, SESSIONS - i) },
          (_, j) =>
            openRawSession(server.url, {
              udfPath: 'counters:get',
              args: { name: `session-${i + j}` },
            }),
        );
        sessions.push(...batch);
        await within(
          Promise.all(batch.map((s) => s.subscribed)),
          OPERATION_LIMIT_MS,
          `sessions ${i} to ${i + batch.length}`,
        );
      }
      const openSeconds = (performance.now() - started) / 1000;
      const withSessionsRssBytes = await quietRss(server);

      const perSession = EXTRA_SUBSCRIPTIONS / EXTRA_SESSIONS;
      for (let s = 0; s < EXTRA_SESSIONS; s++) {
        const session = openRawSession(
          server.url,
          Array.from({ length: perSession }, (_, q) => ({
            udfPath: 'counters:get',
            args: { name: `extra-${s * perSession + q}` },
          })),
        );
        extra.push(session);
        await within(
          session.subscribed,
          OPERATION_LIMIT_MS,
          `${perSession} more subscriptions`,
        );
      }
      const withSubscriptionsRssBytes = await quietRss(server);
      const connections = await server.metric('converge_sync_connections');
      const subscriptions = await server.metric('converge_sync_subscriptions');
      return {
        sessions: SESSIONS,
        extraSubscriptions: EXTRA_SUBSCRIPTIONS,
        idleRssBytes,
        withSessionsRssBytes,
        withSubscriptionsRssBytes,
        bytesPerSession: Math.round(
          (withSessionsRssBytes - idleRssBytes) / SESSIONS,
        ),
        bytesPerSubscription: Math.round(
          (withSubscriptionsRssBytes - withSessionsRssBytes) /
            EXTRA_SUBSCRIPTIONS,
        ),
        connections,
        subscriptions,
        openSeconds,
      };
    } finally {
      for (const session of [...sessions, ...extra]) session.close();
    }
  });
}

/** The server's resident set once it has been left alone for 2 s: the median of 5 readings over 1 s. */
async function quietRss(server: ServerUnderTest): Promise<number> {
  await sleep(2000);
  const readings: number[] = [];
  for (let i = 0; i < 5; i++) {
    readings.push(server.rssBytes());
    await sleep(250);
  }
  return median(readings);
}

export function heldSessionsMarkdown(result: HeldSessionsResult): string {
  return (
    markdownTable(
      ['server resident set', 'bytes', 'per session or subscription'],
      [
        ['idle, before the sessions', fmtBytes(result.idleRssBytes), ''],
        [
          `${result.sessions.toLocaleString('en-US')} idle sessions, one subscription each`,
          fmtBytes(result.withSessionsRssBytes),
          `${fmtBytes(result.bytesPerSession)} per session`,
        ],
        [
          `${result.extraSubscriptions.toLocaleString('en-US')} more subscriptions on ${EXTRA_SESSIONS} sessions`,
          fmtBytes(result.withSubscriptionsRssBytes),
          `${fmtBytes(result.bytesPerSubscription)} per subscription`,
        ],
      ],
    ) +
    `\nHeld by the server at the end: ${result.connections.toLocaleString('en-US')} sockets, ${result.subscriptions.toLocaleString('en-US')} subscriptions; ` +
    `the ${result.sessions.toLocaleString('en-US')} sessions (bare protocol, not official clients) opened in ${result.openSeconds.toFixed(1)} s.\n`
  );
}

export function heldSessionsTargets(
  result: HeldSessionsResult | undefined,
): Target[] {
  return [
    target(
      {
        id: 'W7.session',
        description:
          'server memory (resident set) per idle session with one subscription',
        target: 10_240,
        comparison: '<=',
        unit: 'bytes',
      },
      result?.bytesPerSession,
    ),
  ];
}
