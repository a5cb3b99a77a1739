/**
 * W10, the transfer workload: 64 `ConvexClient`s in closed loops, each
 * calling `accounts:transfer` (read two accounts by index, debit one,
 * credit the other) over 10,000 accounts, in two mixes:
 *
 * - uniform: both accounts drawn uniformly from all 10,000 (distinct);
 * - 80% contention: each transfer is, with probability 0.8, between two
 *   distinct accounts of a hot set of the first 10 accounts (0.1% of
 *   them), and otherwise uniform as above. With 64 transfers in flight,
 *   about 51 at any moment then compete for 10 accounts.
 *
 * Reports committed per second, p50/p99, OCC retries per commit (the
 * server's own counters, `/metrics`) and the server's CPU-seconds per
 * transaction, next to the raw echo+commit from 64 sockets. Afterwards,
 * the total of all balances must be what it was: a transfer neither makes
 * nor loses money.
 *
 * Targets (issue 8): at least 5,000 committed per second uniform; at 80%
 * contention at least 1,000 per second with a p99 under 50 ms.
 */
import type { ConvexClient } from 'convex/browser';
import { makeFunctionReference } from 'convex/server';
import { seededRandom } from '../../src/runtime/seeded-random.ts';
import { withBaselineServer } from '../baseline-server.ts';
import { type ThroughputResult, closedLoop } from '../closed-loop.ts';
import { echoLoop } from '../echo-loop.ts';
import { frameMeter, receivedBytesPerOp } from '../frame-meter.ts';
import { fmtMs, fmtRate, fmtRatio, markdownTable } from '../markdown-table.ts';
import { closeClients, openClient } from '../official-clients.ts';
import {
  type ServerUnderTest,
  withServerUnderTest,
} from '../server-under-test.ts';
import { type Target, target } from '../target.ts';
import type { Timing } from '../timing.ts';

const seed = makeFunctionReference<
  'mutation',
  { from: number; count: number; balance: number },
  null
>('accounts:seed');
const transfer = makeFunctionReference<
  'mutation',
  { from: string; to: string; amount: number },
  null
>('accounts:transfer');
const snapshot = makeFunctionReference<
  'query',
  Record<string, never>,
  { accounts: number; total: number }
>('accounts:snapshot');

export type TransferMix = 'uniform' | 'contended';

export interface TransferRow {
  mix: TransferMix;
  converge: ThroughputResult;
  retries: number;
  commits: number;
  retriesPerCommit: number;
  /** Server CPU-seconds per committed transfer. */
  serverCpuSecondsPerTransfer: number;
  /** Committed per second over echo+commits per second. */
  ratio: number;
}

export interface TransfersResult {
  clients: number;
  accounts: number;
  hotAccounts: number;
  hotShare: number;
  rows: TransferRow[];
  echoCommit: ThroughputResult;
  frameBytes: number;
  /** Whether the total of all balances was unchanged at the end. */
  balanced: boolean;
}

const CLIENTS = 64;
const ACCOUNTS = 10_000;
const HOT_ACCOUNTS = 10;
const HOT_SHARE = 0.8;
const BALANCE = 1_000_000;
/** Accounts per seeding mutation. */
const SEED_BATCH = 2_500;

export async function benchTransfers(options: {
  timing: Timing;
}): Promise<TransfersResult> {
  const { timing } = options;
  return withServerUnderTest((server) =>
    withBaselineServer(async (raw) => {
      const seeder = openClient(server.url);
      for (let from = 0; from < ACCOUNTS; from += SEED_BATCH)
        await seeder.mutation(seed, {
          from,
          count: SEED_BATCH,
          balance: BALANCE,
        });
      const meter = frameMeter();
      const probe = openClient(server.url, meter);
      const frameBytes = await receivedBytesPerOp(meter, 50, (i) =>
        probe.mutation(transfer, {
          from: `account-${i + 100}`,
          to: `account-${i + 200}`,
          amount: 1,
        }),
      );
      await probe.close();

      const clients = Array.from({ length: CLIENTS }, () =>
        openClient(server.url),
      );
      const rows: TransferRow[] = [];
      try {
        for (const mix of ['uniform', 'contended'] as const)
          rows.push(await transferLoop(server, clients, mix, timing));
      } finally {
        await closeClients(clients);
      }
      const echoCommit = await echoLoop(raw, '/echo-commit', {
        sockets: CLIENTS,
        frameBytes,
        timing,
      });
      const { accounts, total } = await seeder.query(snapshot, {});
      await seeder.close();
      return {
        clients: CLIENTS,
        accounts: ACCOUNTS,
        hotAccounts: HOT_ACCOUNTS,
        hotShare: HOT_SHARE,
        rows: rows.map((row) => ({
          ...row,
          ratio: row.converge.opsPerSecond / echoCommit.opsPerSecond,
        })),
        echoCommit,
        frameBytes,
        balanced: accounts === ACCOUNTS && total === ACCOUNTS * BALANCE,
      };
    }),
  );
}

async function transferLoop(
  server: ServerUnderTest,
  clients: readonly ConvexClient[],
  mix: TransferMix,
  timing: Timing,
): Promise<TransferRow> {
  const randoms = clients.map((_, i) => {
    const generator = seededRandom(i + 1);
    return () => generator.random();
  });
  const pick = (random: () => number, range: number) =>
    Math.floor(random() * range);
  const pair = (worker: number): [number, number] => {
    const random = randoms[worker];
    if (!random) throw new Error(`no generator ${worker}`);
    const range =
      mix === 'contended' && random() < HOT_SHARE ? HOT_ACCOUNTS : ACCOUNTS;
    const from = pick(random, range);
    const to = (from + 1 + pick(random, range - 1)) % range;
    return [from, to];
  };
  const retriesBefore = await server.metric('converge_occ_retries_total');
  const commitsBefore = await server.metric('converge_commits_total');
  const converge = await closedLoop({
    ...timing,
    workers: clients.length,
    serverCpuMs: server.cpuMs,
    op: async (worker) => {
      const client = clients[worker];
      if (!client) throw new Error(`no client ${worker}`);
      const [from, to] = pair(worker);
      await client.mutation(transfer, {
        from: `account-${from}`,
        to: `account-${to}`,
        amount: 1,
      });
    },
  });
  const retries =
    (await server.metric('converge_occ_retries_total')) - retriesBefore;
  const commits =
    (await server.metric('converge_commits_total')) - commitsBefore;
  return {
    mix,
    converge,
    retries,
    commits,
    retriesPerCommit: retries / commits,
    serverCpuSecondsPerTransfer: converge.serverCpuMsPerOp / 1000,
    ratio: Number.NaN,
  };
}

export function transfersMarkdown(result: TransfersResult): string {
  const label: Record<TransferMix, string> = {
    uniform: `uniform over ${result.accounts.toLocaleString('en-US')}`,
    contended: `${result.hotShare * 100}% on ${result.hotAccounts} hot accounts`,
  };
  return (
    markdownTable(
      [
        `${result.clients} clients`,
        'committed/s',
        'p50',
        'p99',
        'OCC retries/commit',
        'failed',
        'server CPU-s/transfer',
        'bench CPU/transfer',
        `echo+commit/s (${result.frameBytes} B)`,
        'ratio',
      ],
      result.rows.map((row) => [
        label[row.mix],
        fmtRate(row.converge.opsPerSecond),
        fmtMs(row.converge.latency.p50Ms),
        fmtMs(row.converge.latency.p99Ms),
        row.retriesPerCommit.toFixed(3),
        String(row.converge.failures),
        `${row.serverCpuSecondsPerTransfer.toFixed(5)} s`,
        fmtMs(row.converge.benchCpuMsPerOp, 3),
        fmtRate(result.echoCommit.opsPerSecond),
        fmtRatio(row.ratio),
      ]),
    ) +
    `\nBalances after both mixes: ${result.balanced ? 'the total is unchanged' : '**the total changed**'}.\n`
  );
}

export function transfersTargets(
  result: TransfersResult | undefined,
): Target[] {
  const row = (mix: TransferMix) => result?.rows.find((r) => r.mix === mix);
  return [
    target(
      {
        id: 'W10.uniform',
        description: 'transfers committed per second, 64 clients, uniform',
        target: 5_000,
        comparison: '>=',
        unit: 'transfers/s',
      },
      row('uniform')?.converge.opsPerSecond,
    ),
    target(
      {
        id: 'W10.contended.rate',
        description:
          'transfers committed per second, 64 clients, 80% on 10 hot accounts',
        target: 1_000,
        comparison: '>=',
        unit: 'transfers/s',
      },
      row('contended')?.converge.opsPerSecond,
    ),
    target(
      {
        id: 'W10.contended.p99',
        description: 'transfer p99, 64 clients, 80% on 10 hot accounts',
        target: 50,
        comparison: '<',
        unit: 'ms',
      },
      row('contended')?.converge.latency.p99Ms,
    ),
  ];
}
