/**
 * The mutation storm of the crash-safety tests, whatever the store: official
 * `ConvexClient`s append to the ledger app, several mutations in flight
 * each, while the server (`converge serve`, a child process) is killed with
 * SIGKILL at seeded moments and restarted on the same port and store. The
 * clients reconnect by themselves and re-send what was unanswered.
 *
 * Afterwards a fresh client reads the ledger, and the storm counts as
 * anomalies: an acknowledged append missing or present more than once, a
 * rejected one present, any row no append asked for, and any client whose
 * subscriptions do not show the final state. Some appends are doomed (the
 * mutation writes its row, then throws), so "rejected means absent" is
 * tested on real rejections, not on none.
 */
import { ConvexClient } from 'convex/browser';
import { Draw } from '../differential/draw.ts';
import { startServerProcess } from '../helpers/converge-process.ts';
import { convexClients } from '../helpers/convex-clients.ts';
import { temporaryDataDir } from '../helpers/converge-server.ts';
import { type QueryWatch, watchQuery } from '../helpers/query-watch.ts';
import { startFaultProxy } from './fault-proxy.ts';
import { reportFigures } from './figures.ts';
import {
  allEntries,
  append,
  entryCount,
  ledgerAnomalies,
  ledgerWriter,
  sameSeqs,
  sendAppend,
  seqsOf,
  sleep,
} from './ledger-writers.ts';
import { bySize } from './reliability-size.ts';

export interface StormPlan {
  seed: number;
  writers: number;
  appendsPerWriter: number;
  /** How many of a writer's appends may be unanswered at once. */
  inFlight: number;
  kills: number;
  /**
   * Where the restarted server listens: `same-port`, where the killed one
   * did; `relay`, on any port behind a loopback relay whose address is the
   * one the clients know. Either way the clients find it by themselves.
   */
  restartOn: 'same-port' | 'relay';
  /** A PostgreSQL store; the server's own SQLite store when unset. */
  databaseUrl?: string;
}

export interface StormReport {
  acknowledged: number;
  rejected: number;
  kills: number;
  /** The longest a restart took, until the new server served. */
  slowestRestartMs: number;
  /** Every anomaly found, described; the test expects none. */
  anomalies: string[];
}

/**
 * The storm each size runs; the server restarts on its own port, as under a
 * supervisor. CRASH_SEED re-runs a storm; CRASH_RESTART=relay restarts it
 * on another port behind a loopback relay instead.
 */
export const stormPlan: Omit<StormPlan, 'databaseUrl'> = {
  seed: Number(process.env['CRASH_SEED'] ?? Date.now() % 100_000),
  ...bySize({
    ci: { writers: 3, appendsPerWriter: 40, inFlight: 4, kills: 2 },
    full: { writers: 6, appendsPerWriter: 400, inFlight: 8, kills: 6 },
  }),
  restartOn: process.env['CRASH_RESTART'] === 'relay' ? 'relay' : 'same-port',
};

/** Runs `stormPlan` on a store and reports its figures under `test`. */
export async function crashSafety(
  test: string,
  databaseUrl?: string,
): Promise<StormReport> {
  const report = await runMutationStorm({
    ...stormPlan,
    ...(databaseUrl === undefined ? {} : { databaseUrl }),
  });
  reportFigures(test, {
    seed: stormPlan.seed,
    restart: stormPlan.restartOn,
    acknowledged: report.acknowledged,
    rejected: report.rejected,
    kills: report.kills,
    'slowest restart (s)': report.slowestRestartMs / 1000,
    anomalies: report.anomalies.length,
  });
  return report;
}

/**
 * How long a client may take to find a restarted server: its reconnect
 * backoff doubles from 1 s up to 16 s, and a restart takes a few seconds on
 * a busy machine, so a few rounds of it.
 */
const RECONNECT_TIMEOUT_MS = 90_000;

export async function runMutationStorm(plan: StormPlan): Promise<StormReport> {
  // One stream of draws for the kills and one per writer, so that a seed
  // names the same plan however the writers interleave.
  const draw = new Draw(plan.seed);
  await using data = temporaryDataDir();
  await using server = await startServerProcess('ledger', {
    dataDir: data.path,
    ...(plan.databaseUrl === undefined
      ? {}
      : { databaseUrl: plan.databaseUrl }),
  });
  await using relay = await startFaultProxy({
    target: () => Number(new URL(server.url).port),
  });
  await using clients = convexClients(
    plan.restartOn === 'relay' ? relay.url : server.url,
  );

  const writers = Array.from({ length: plan.writers }, (_, i) =>
    ledgerWriter(`writer-${i}`, clients.open(), new Draw(plan.seed + i + 1)),
  );
  // Each client watches its own writer's rows and the ledger's size.
  const watches = writers.map((writer) => ({
    writer,
    seqs: watchQuery(writer.client, seqsOf, { writer: writer.name }),
    count: watchQuery(writer.client, entryCount, {}),
  }));
  for (const watch of watches) await watch.count.next();

  const total = plan.writers * plan.appendsPerWriter;
  let settled = 0;
  const progress = new Set<() => void>();
  const settle = () => {
    settled += 1;
    for (const wake of progress) wake();
  };
  const untilSettled = (count: number) =>
    new Promise<void>((resolve) => {
      const check = () => {
        if (settled < count) return;
        progress.delete(check);
        resolve();
      };
      progress.add(check);
      check();
    });

  // Kill i falls after about i/(kills+1) of the appends have settled, give
  // or take a third of the spacing, then a few milliseconds more, so that it
  // lands with appends in flight, mid-commit or mid-answer.
  const spacing = total / (plan.kills + 1);
  const killAt = Array.from(
    { length: plan.kills },
    (_, i) =>
      Math.round(spacing * (i + 1)) +
      draw.int(-Math.floor(spacing / 3), Math.floor(spacing / 3)),
  );
  const killDelays = killAt.map(() => draw.int(0, 40));
  let kills = 0;
  let slowestRestartMs = 0;
  const killer = (async () => {
    for (const [i, at] of killAt.entries()) {
      await untilSettled(at);
      await sleep(killDelays[i] ?? 0);
      await server.kill();
      kills += 1;
      const killedAt = performance.now();
      await server.restart({ anyPort: plan.restartOn === 'relay' });
      slowestRestartMs = Math.max(
        slowestRestartMs,
        performance.now() - killedAt,
      );
    }
  })();

  const storms = writers.map(async (writer) => {
    const pending = new Set<Promise<void>>();
    for (let seq = 0; seq < plan.appendsPerWriter; seq++) {
      while (pending.size >= plan.inFlight) await Promise.race(pending);
      const sent = sendAppend(writer, seq).finally(() => {
        pending.delete(sent);
        settle();
      });
      pending.add(sent);
      await sleep(writer.draw.int(0, 3));
    }
    await Promise.all(pending);
  });
  await Promise.all(storms);
  await killer;

  // The true state, through a client that never saw a crash. A closing
  // append proves every other client's subscriptions are live on the last
  // server, not left showing a state from before a kill.
  const checker = new ConvexClient(server.url, { logger: false });
  let rows: string[];
  try {
    await checker.mutation(append, { writer: 'closing', seq: 0 });
    rows = await checker.query(allEntries, {});
  } finally {
    await checker.close();
  }
  const anomalies = ledgerAnomalies(writers, rows, ['closing#0']);

  for (const { writer, seqs, count } of watches) {
    const expected = [...writer.acknowledged].sort((a, b) => a - b);
    await expectFinal(
      anomalies,
      `${writer.name}'s subscription to its rows`,
      seqs,
      (value) => sameSeqs(value, expected),
    );
    await expectFinal(
      anomalies,
      `${writer.name}'s subscription to the count`,
      count,
      (value) => value === rows.length,
    );
    seqs.unsubscribe();
    count.unsubscribe();
  }

  return {
    acknowledged: writers.reduce((n, w) => n + w.acknowledged.size, 0),
    rejected: writers.reduce((n, w) => n + w.rejected.size, 0),
    kills,
    slowestRestartMs,
    anomalies,
  };
}

async function expectFinal<T>(
  anomalies: string[],
  what: string,
  watch: QueryWatch<T>,
  isFinal: (value: T) => boolean,
): Promise<void> {
  try {
    await watch.next(() => {
      const last = watch.values.at(-1);
      return last !== undefined && isFinal(last);
    }, RECONNECT_TIMEOUT_MS);
  } catch (error) {
    anomalies.push(
      `${what} never showed the final state: ${error instanceof Error ? error.message.slice(0, 300) : String(error)}`,
    );
  }
}
