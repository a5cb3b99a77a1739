/**
 * W2, the single-insert mutation: `items:insert` from 1, 4 and 16
 * `ConvexClient`s, each in a closed loop (its next mutation once the
 * previous one resolves, which for the official client means once the
 * Transition at its commit has arrived), next to two baselines measured
 * in the same run:
 *
 * - the raw SQLite commit floor: single-row insert transactions back to
 *   back on one thread, with the store's pragmas (commit-floor.ts);
 * - the raw echo+commit: as many `ws` sockets sending a frame to a uWS
 *   route that commits one such row before it echoes the frame; the frame
 *   is as large as all the server sent per mutation.
 *
 * Targets (issue 8): at the best client count, at least 10,000 mutations
 * per second and at least 25% of the commit floor.
 */
import { makeFunctionReference } from 'convex/server';
import { withBaselineServer } from '../baseline-server.ts';
import { type ThroughputResult, closedLoop } from '../closed-loop.ts';
import { type CommitFloor, measureCommitFloor } from '../commit-floor.ts';
import { echoLoop } from '../echo-loop.ts';
import { frameMeter, receivedBytesPerOp } from '../frame-meter.ts';
import {
  fmtMs,
  fmtPercent,
  fmtRate,
  fmtRatio,
  markdownTable,
} from '../markdown-table.ts';
import { closeClients, openClient } from '../official-clients.ts';
import { withServerUnderTest } from '../server-under-test.ts';
import { type Target, target } from '../target.ts';
import type { Timing } from '../timing.ts';

const insert = makeFunctionReference<
  'mutation',
  { key: string; body: string },
  null
>('items:insert');

export interface InsertMutationsRow {
  clients: number;
  converge: ThroughputResult;
  echoCommit: ThroughputResult;
  /** Mutations per second over echo+commits per second. */
  echoCommitRatio: number;
  /** Mutations per second over the commit floor. */
  floorRatio: number;
}

export interface InsertMutationsResult {
  floor: CommitFloor;
  /** The echo's frame: all the server sent for one mutation. */
  frameBytes: number;
  rows: InsertMutationsRow[];
  /** The row with the most mutations per second. */
  best: InsertMutationsRow;
}

const CLIENT_COUNTS = [1, 4, 16];
const BODY = 'hello world, a small document';

export async function benchInsertMutations(options: {
  timing: Timing;
}): Promise<InsertMutationsResult> {
  const { timing } = options;
  const floor = await measureCommitFloor({
    roundMs: timing.roundMs,
    rounds: timing.rounds,
  });
  return withServerUnderTest((server) =>
    withBaselineServer(async (raw) => {
      const meter = frameMeter();
      const probe = openClient(server.url, meter);
      const frameBytes = await receivedBytesPerOp(meter, 50, (i) =>
        probe.mutation(insert, { key: `probe-${i}`, body: BODY }),
      );
      await probe.close();

      const rows: InsertMutationsRow[] = [];
      for (const clients of CLIENT_COUNTS) {
        const convex = Array.from({ length: clients }, () =>
          openClient(server.url),
        );
        const converge = await closedLoop({
          ...timing,
          workers: clients,
          serverCpuMs: server.cpuMs,
          op: async (worker, n) => {
            const client = convex[worker];
            if (!client) throw new Error(`no client ${worker}`);
            await client.mutation(insert, { key: `item-${n}`, body: BODY });
          },
        });
        await closeClients(convex);
        const echoCommit = await echoLoop(raw, '/echo-commit', {
          sockets: clients,
          frameBytes,
          timing,
        });
        rows.push({
          clients,
          converge,
          echoCommit,
          echoCommitRatio: converge.opsPerSecond / echoCommit.opsPerSecond,
          floorRatio: converge.opsPerSecond / floor.commitsPerSecond,
        });
      }
      const best = rows.reduce((a, b) =>
        b.converge.opsPerSecond > a.converge.opsPerSecond ? b : a,
      );
      return { floor, frameBytes, rows, best };
    }),
  );
}

export function insertMutationsMarkdown(result: InsertMutationsResult): string {
  return (
    markdownTable(
      [
        'clients',
        'mutations/s',
        'p50',
        'p99',
        'server CPU/mutation',
        'bench CPU/mutation',
        `echo+commit/s (${result.frameBytes} B)`,
        'echo+commit p50',
        'vs echo+commit',
        'vs commit floor',
      ],
      result.rows.map((row) => [
        String(row.clients),
        fmtRate(row.converge.opsPerSecond),
        fmtMs(row.converge.latency.p50Ms),
        fmtMs(row.converge.latency.p99Ms),
        fmtMs(row.converge.serverCpuMsPerOp, 3),
        fmtMs(row.converge.benchCpuMsPerOp, 3),
        fmtRate(row.echoCommit.opsPerSecond),
        fmtMs(row.echoCommit.latency.p50Ms),
        fmtRatio(row.echoCommitRatio),
        fmtPercent(row.floorRatio),
      ]),
    ) +
    `\nRaw SQLite commit floor: ${fmtRate(result.floor.commitsPerSecond)} commits/s (${fmtMs(result.floor.cpuMsPerCommit, 4)} CPU each).\n`
  );
}

export function insertMutationsTargets(
  result: InsertMutationsResult | undefined,
): Target[] {
  return [
    target(
      {
        id: 'W2.rate',
        description: 'single-insert mutations per second, best client count',
        target: 10_000,
        comparison: '>=',
        unit: 'mutations/s',
      },
      result?.best.converge.opsPerSecond,
    ),
    target(
      {
        id: 'W2.floor',
        description:
          'single-insert mutations per second over the raw SQLite commit floor, best client count',
        target: 0.25,
        comparison: '>=',
        unit: 'fraction',
      },
      result?.best.floorRatio,
    ),
  ];
}
