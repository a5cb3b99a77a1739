/**
 * Load and slow consumers (issue 7): a server in a child process, so its
 * resident set is its own, holding many sync sessions at once, and a client
 * that stops reading in the middle of a flood.
 *
 * The mass of sessions speaks the protocol over bare sockets (Connect and
 * one ModifyQuerySet each, as the official client opens a socket): 10,000
 * official clients would load the test's process more than the server. The
 * latency figures come from official clients.
 */
import { ConvexClient } from 'convex/browser';
import { makeFunctionReference } from 'convex/server';
import { expect, test } from 'vitest';
import { DEFAULT_BACKLOG_LIMITS } from '../../src/sync/send-backlog.ts';
import { startServerProcess } from '../helpers/converge-process.ts';
import { reportFigures } from './figures.ts';
import {
  type LatencyProbe,
  openLatencyProbe,
  percentile,
} from './latency-probe.ts';
import { processMemory } from './process-memory.ts';
import { type RawSession, openRawSession } from './raw-session.ts';
import { bySize } from './reliability-size.ts';

const increment = makeFunctionReference<'mutation', { name: string }, null>(
  'counters:increment',
);
const putBlob = makeFunctionReference<
  'mutation',
  { slot: number; bytes: number; round: number },
  null
>('blobs:put');

const MiB = 1 << 20;
const mib = (bytes: number) => bytes / MiB;
const sleep = (ms: number) =>
  new Promise<void>((resolve) => setTimeout(resolve, ms));

const SESSIONS = bySize({ ci: 2_000, full: 10_000 });
/** Sockets opening at once: enough to keep both cores busy, few enough not to queue SYNs for seconds. */
const CONNECT_BATCH = 200;
const LATENCY_SAMPLES = bySize({ ci: 100, full: 300 });
/** Sessions whose counter is bumped afterwards, to show they still listen. */
const NUDGED = 50;

test(
  `${SESSIONS} sessions each hold a subscription; the server's memory per session and an official client's latency meanwhile`,
  async () => {
    await using server = await startServerProcess('load');
    // The official probe's first round trips load the functions and warm the
    // runner, so the baseline is the server ready to serve, holding nobody.
    await using probe = await openLatencyProbe(server.url);
    await probe.samples(20);
    const idle = processMemory(server.pid);

    const sessions: RawSession[] = [];
    const connectStart = performance.now();
    try {
      for (let first = 0; first < SESSIONS; first += CONNECT_BATCH) {
        const batch: RawSession[] = [];
        for (let i = first; i < Math.min(first + CONNECT_BATCH, SESSIONS); i++)
          batch.push(
            openRawSession(server.url, {
              udfPath: 'counters:get',
              args: { name: `session-${i}` },
            }),
          );
        sessions.push(...batch);
        await Promise.all(batch.map((session) => session.subscribed));
      }
      const connectMs = performance.now() - connectStart;
      const held = processMemory(server.pid);
      // The server counts them all, besides the probe's two clients.
      expect(await syncGauges(server.url)).toEqual({
        connections: SESSIONS + 2,
        subscriptions: SESSIONS + 1,
      });

      // Every session is subscribed; now an app's writes and reads go on
      // beside them.
      const latencies = await probe.samples(LATENCY_SAMPLES);

      // A handful of the held sessions are sent a change: each is still
      // listening, and hears it.
      const writer = new ConvexClient(server.url, { logger: false });
      try {
        const nudged = sessions
          .map((session, i) => ({ session, name: `session-${i}` }))
          .filter((_, i) => i % Math.floor(SESSIONS / NUDGED) === 0);
        for (const { name } of nudged)
          await writer.mutation(increment, { name });
        await waitFor(
          () => nudged.every(({ session }) => session.transitions() >= 2),
          30_000,
        );
      } finally {
        await writer.close();
      }
      const after = processMemory(server.pid);

      expect(sessions.filter((session) => !session.isOpen())).toEqual([]);

      const perSessionBytes = (held.rssBytes - idle.rssBytes) / SESSIONS;
      reportFigures('load: sessions held', {
        sessions: SESSIONS,
        connectSeconds: connectMs / 1000,
        idleRssMiB: mib(idle.rssBytes),
        heldRssMiB: mib(held.rssBytes),
        peakRssMiB: mib(after.peakRssBytes),
        perSessionKiB: perSessionBytes / 1024,
        latencyP50Ms: percentile(latencies, 50),
        latencyP99Ms: percentile(latencies, 99),
      });
      // A session with one small subscription costs the server kilobytes, not
      // the megabyte a leak of a buffer or a result per socket would show.
      expect(perSessionBytes).toBeLessThan(256 * 1024);
    } finally {
      for (const session of sessions) session.close();
    }
  },
  bySize({ ci: 90_000, full: 600_000 }),
);

/** Slots of `blobs:all` and their size: each Transition of it weighs SLOTS × SLOT_BYTES. */
const SLOTS = 4;
const SLOT_BYTES = 128 * 1024;
/** Between writes to the flooded query: several Transitions a second, each 0.5 MiB. */
const FLOOD_INTERVAL_MS = 100;
/** How long the official client's latency is sampled while the reader keeps up. */
const BASELINE_MS = bySize({ ci: 8_000, full: 30_000 });
/**
 * The stall limit, three times, and time to fill the buffers: a paused reader's
 * kernel may yet take a few more bytes as it compacts its receive queue,
 * which is progress and restarts the clock.
 */
const CLOSE_WITHIN_MS = 3 * DEFAULT_BACKLOG_LIMITS.stallLimitMs + 15_000;

test(
  'a client that stops reading is throttled, then closed within the stall limit, while an official client keeps its latency',
  async () => {
    await using server = await startServerProcess('load');
    await using probe = await openLatencyProbe(server.url);
    await probe.samples(20);

    // The flooded query is full from the start: every write makes every
    // subscriber owed another half mebibyte.
    const flooder = new ConvexClient(server.url, { logger: false });
    let round = 0;
    let flooding = true;
    const write = () =>
      flooder.mutation(putBlob, {
        slot: round % SLOTS,
        bytes: SLOT_BYTES,
        round: round++,
      });
    for (let slot = 0; slot < SLOTS; slot++) await write();
    const flood = (async () => {
      while (flooding) {
        await write();
        await sleep(FLOOD_INTERVAL_MS);
      }
    })();

    const flooded = { udfPath: 'blobs:all', args: {} };
    const keeper = openRawSession(server.url, flooded);
    let stopper: RawSession | null = null;
    const rss = rssSampler(() => processMemory(server.pid).rssBytes);
    try {
      await keeper.subscribed;

      // A reader that keeps up with the flood: what it costs everyone else.
      const baselineStartRound = round;
      const baselineStartTransitions = keeper.transitions();
      const baseline = await samplesFor(probe, BASELINE_MS);
      const baselineWrites = round - baselineStartRound;
      const baselineTransitions =
        keeper.transitions() - baselineStartTransitions;
      const baselinePeakRss = rss.peakSince();

      // The reader that kept up leaves, and one that stops takes its place:
      // it subscribes and at once stops taking bytes off its socket, never
      // reading a Transition. The flood goes on.
      keeper.close();
      const stopping = openRawSession(server.url, flooded);
      stopper = stopping;
      await stopping.opened;
      stopping.stopReading();
      const pausedAt = performance.now();
      const pausedRound = round;
      const pausedTransitions = stopping.transitions();
      const pausedBytes = stopping.receivedBytes();
      rss.restart();
      const stalled: number[] = [];
      let closedAfterMs: number | null = null;
      while (performance.now() - pausedAt < CLOSE_WITHIN_MS) {
        stalled.push(await probe.sample());
        if (server.logs().includes('stopped reading')) {
          closedAfterMs = performance.now() - pausedAt;
          break;
        }
      }
      const stalledWrites = round - pausedRound;
      const stalledPeakRss = rss.peakSince();
      flooding = false;
      await flood;

      // Reading again, it gets what was already on its way, then the close.
      stopping.resumeReading();
      const close = await Promise.race([
        stopping.closed,
        sleep(30_000).then(() => ({ code: 0, reason: 'never closed' })),
      ]);
      const sentWhilePaused = stopping.transitions() - pausedTransitions;
      const sentWhilePausedBytes = stopping.receivedBytes() - pausedBytes;
      const stuckMs = Number(/for (\d+) ms/.exec(server.logs())?.[1]);

      reportFigures('load: slow consumer', {
        transitionMiB: mib(SLOTS * SLOT_BYTES),
        baselineWrites,
        baselineTransitions,
        closedAfterSeconds: (closedAfterMs ?? Number.NaN) / 1000,
        stuckSeconds: stuckMs / 1000,
        stalledWrites,
        transitionsSentWhilePaused: sentWhilePaused,
        sentWhilePausedMiB: mib(sentWhilePausedBytes),
        owedWhilePausedMiB: mib(stalledWrites * SLOTS * SLOT_BYTES),
        closeCode: close.code,
        closeReason: close.reason,
        baselineP50Ms: percentile(baseline, 50),
        stalledP50Ms: percentile(stalled, 50),
        baselineP99Ms: percentile(baseline, 99),
        stalledP99Ms: percentile(stalled, 99),
        baselinePeakRssMiB: mib(baselinePeakRss),
        stalledPeakRssMiB: mib(stalledPeakRss),
      });

      // Closed by the server's policy, with its code and reason, not by the
      // transport's last-resort cut-off, once its buffer had sat still for the
      // limit (checked once a second).
      expect(close).toEqual({ code: 1013, reason: 'ClientNotReading' });
      expect(closedAfterMs).not.toBeNull();
      expect(stuckMs).toBeGreaterThanOrEqual(
        DEFAULT_BACKLOG_LIMITS.stallLimitMs,
      );
      expect(stuckMs).toBeLessThan(DEFAULT_BACKLOG_LIMITS.stallLimitMs + 5_000);
      // Throttled and bounded: of the many writes while it was paused, it was
      // sent a few Transitions, enough to fill the kernel's buffers and the
      // high-water mark, and none after; the server took on a fraction of
      // what it was owed.
      expect(sentWhilePaused).toBeLessThan(stalledWrites / 2);
      expect(sentWhilePausedBytes).toBeLessThan(
        (stalledWrites * SLOTS * SLOT_BYTES) / 4,
      );
      // The server's resident set grows with the flood's own writes and
      // their garbage, not by what the stopped reader is owed (up to 150 MiB):
      // an unthrottled server would hold that until the transport's 64 MiB
      // cut-off. The peak is noisy on a busy machine (up to 70 MiB of the
      // flood's garbage seen in a CI run), so at CI size the bound only says
      // memory stays bounded; the bytes sent while paused, above, are what
      // show the throttle at every size.
      expect(stalledPeakRss - baselinePeakRss).toBeLessThan(
        bySize({ ci: 128 * MiB, full: 64 * MiB }),
      );
      // Everyone else: the official client's median round trip stays in the
      // range it had while a reader kept up.
      expect(percentile(stalled, 50)).toBeLessThan(
        5 * percentile(baseline, 50) + 50,
      );
    } finally {
      flooding = false;
      rss.stop();
      keeper.close();
      stopper?.close();
      await flood;
      await flooder.close();
    }
  },
  CLOSE_WITHIN_MS + 60_000,
);

async function samplesFor(probe: LatencyProbe, ms: number) {
  const times: number[] = [];
  const start = performance.now();
  while (performance.now() - start < ms) times.push(await probe.sample());
  return times;
}

/** The largest resident set seen since the last restart, read every 100 ms. */
function rssSampler(read: () => number) {
  let peak = read();
  const timer = setInterval(() => {
    peak = Math.max(peak, read());
  }, 100);
  return {
    peakSince: () => Math.max(peak, read()),
    restart: () => {
      peak = read();
    },
    stop: () => clearInterval(timer),
  };
}

async function waitFor(check: () => boolean, timeoutMs: number) {
  const deadline = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > deadline)
      throw new Error(`still waiting after ${timeoutMs} ms`);
    await sleep(50);
  }
}

/** What the server's `/metrics` says of its sync sockets. */
async function syncGauges(url: string) {
  const text = await (await fetch(`${url}/metrics`)).text();
  const gauge = (name: string) =>
    Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(text)?.[1]);
  return {
    connections: gauge('converge_sync_connections'),
    subscriptions: gauge('converge_sync_subscriptions'),
  };
}
