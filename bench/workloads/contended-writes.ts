/**
 * W3, contended read-modify-write: 16 `ConvexClient`s in closed loops all
 * incrementing the one counter `contended` (`counters:increment` reads it
 * by index, then patches it), so that every pair of concurrent mutations
 * conflicts. Reports committed per second, p99, and the OCC retry rate:
 * retries per commit, both counted by the server (`/metrics`:
 * `converge_occ_retries_total`, `converge_commits_total`) over the whole
 * loop, warm-up included.
 *
 * Baseline: the raw echo+commit from as many sockets, each commit its own
 * row (nothing raw contends), with frames as large as all the server sent
 * per increment.
 */
import { makeFunctionReference } from 'convex/server';
import { withBaselineServer } from '../baseline-server.ts';
import { type ThroughputResult, closedLoop } from '../closed-loop.ts';
import { echoLoop } from '../echo-loop.ts';
import { frameMeter, receivedBytesPerOp } from '../frame-meter.ts';
import { fmtMs, fmtRate, fmtRatio, markdownTable } from '../markdown-table.ts';
import { closeClients, openClient } from '../official-clients.ts';
import { withServerUnderTest } from '../server-under-test.ts';
import type { Timing } from '../timing.ts';

const increment = makeFunctionReference<'mutation', { name: string }, null>(
  'counters:increment',
);

export interface ContendedWritesResult {
  clients: number;
  converge: ThroughputResult;
  /** OCC retries per committed transaction. */
  retriesPerCommit: number;
  retries: number;
  commits: number;
  echoCommit: ThroughputResult;
  frameBytes: number;
  /** Committed per second over echo+commits per second. */
  ratio: number;
}

const CLIENTS = 16;
const COUNTER = 'contended';

export async function benchContendedWrites(options: {
  timing: Timing;
}): Promise<ContendedWritesResult> {
  const { timing } = options;
  return withServerUnderTest((server) =>
    withBaselineServer(async (raw) => {
      const meter = frameMeter();
      const probe = openClient(server.url, meter);
      const frameBytes = await receivedBytesPerOp(meter, 50, () =>
        probe.mutation(increment, { name: COUNTER }),
      );
      await probe.close();

      const clients = Array.from({ length: CLIENTS }, () =>
        openClient(server.url),
      );
      const retriesBefore = await server.metric('converge_occ_retries_total');
      const commitsBefore = await server.metric('converge_commits_total');
      const converge = await closedLoop({
        ...timing,
        workers: CLIENTS,
        serverCpuMs: server.cpuMs,
        op: async (worker) => {
          const client = clients[worker];
          if (!client) throw new Error(`no client ${worker}`);
          await client.mutation(increment, { name: COUNTER });
        },
      });
      const retries =
        (await server.metric('converge_occ_retries_total')) - retriesBefore;
      const commits =
        (await server.metric('converge_commits_total')) - commitsBefore;
      await closeClients(clients);

      const echoCommit = await echoLoop(raw, '/echo-commit', {
        sockets: CLIENTS,
        frameBytes,
        timing,
      });
      return {
        clients: CLIENTS,
        converge,
        retriesPerCommit: retries / commits,
        retries,
        commits,
        echoCommit,
        frameBytes,
        ratio: converge.opsPerSecond / echoCommit.opsPerSecond,
      };
    }),
  );
}

export function contendedWritesMarkdown(result: ContendedWritesResult): string {
  const { converge, echoCommit } = result;
  return markdownTable(
    [
      'clients',
      'committed/s',
      'p50',
      'p99',
      'OCC retries/commit',
      'failed',
      'server CPU/commit',
      `echo+commit/s (${result.frameBytes} B)`,
      'ratio',
    ],
    [
      [
        String(result.clients),
        fmtRate(converge.opsPerSecond),
        fmtMs(converge.latency.p50Ms),
        fmtMs(converge.latency.p99Ms),
        result.retriesPerCommit.toFixed(3),
        String(converge.failures),
        fmtMs(converge.serverCpuMsPerOp, 3),
        fmtRate(echoCommit.opsPerSecond),
        fmtRatio(result.ratio),
      ],
    ],
  );
}
