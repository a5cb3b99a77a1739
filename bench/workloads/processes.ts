/**
 * Issue 10's figures: 1, 2 and 3 Converge processes sharing one PostgreSQL
 * database (server-group.ts, a fresh database for each count), measured
 * with the official client:
 *
 * - cross-process mutation-to-subscriber latency (cross-process-latency.ts):
 *   a mutation sent through one process, the update seen through the next;
 * - total throughput (spread-mutations.ts): 24 closed-loop clients dealt
 *   out evenly over the processes, each incrementing a counter of its own.
 *
 * The number of clients is fixed rather than per process so that every
 * count gets the same offered load and the same client work in this
 * process: a change in mutations per second is the processes' doing, not
 * more concurrency's. 24 divides by 1, 2 and 3, and is above the 16
 * clients at which one process already commits as fast as it can (W2).
 *
 * The baseline is one process on the same PostgreSQL, with each count's
 * ratio to it; under it, what PostgreSQL itself allows with as many
 * connections (postgres-floor.ts). Every process, PostgreSQL and the
 * clients share this machine's cores, which the figures must be read with.
 */
import { loadavg } from 'node:os';
import type { ThroughputResult } from '../closed-loop.ts';
import type { LatencySummary } from '../latency-summary.ts';
import {
  fmtMs,
  fmtPercent,
  fmtRate,
  fmtRatio,
  markdownTable,
} from '../markdown-table.ts';
import { type PostgresFloor, measurePostgresFloor } from '../postgres-floor.ts';
import { withServerGroup } from '../server-group.ts';
import type { Timing } from '../timing.ts';
import { crossProcessLatency } from './cross-process-latency.ts';
import { type SpreadMutations, spreadMutations } from './spread-mutations.ts';
import type { LatencySamples } from './update-latency.ts';

const PROCESS_COUNTS = [1, 2, 3];
const CLIENTS = 24;
/** Warnings and errors quoted per count; the rest are only counted. */
const QUOTED_PROBLEMS = 3;

export interface ProcessesRow {
  processes: number;
  /** The 1-minute load average when this count began: the machine is shared. */
  loadAverage: number;
  latency: LatencySummary;
  throughput: SpreadMutations;
  /** Warnings and errors the processes logged while measured. */
  problems: number;
  firstProblems: string[];
}

export interface ProcessesResult {
  clients: number;
  rows: ProcessesRow[];
  floor: PostgresFloor;
}

export async function benchProcesses(options: {
  timing: Timing;
  samples: LatencySamples;
}): Promise<ProcessesResult> {
  const floor = await measurePostgresFloor({
    connections: CLIENTS,
    ...options,
  });
  const rows: ProcessesRow[] = [];
  for (const processes of PROCESS_COUNTS) {
    process.stderr.write(`  ${processes} process(es) …\n`);
    const loadAverage = loadavg()[0] ?? Number.NaN;
    rows.push(
      await withServerGroup(processes, async (group) => {
        const latency = await crossProcessLatency(group, options.samples);
        const throughput = await spreadMutations(group, {
          clients: CLIENTS,
          timing: options.timing,
        });
        const problems = group.problems();
        return {
          processes,
          loadAverage,
          latency,
          throughput,
          problems: problems.length,
          firstProblems: problems.slice(0, QUOTED_PROBLEMS),
        };
      }),
    );
  }
  return { clients: CLIENTS, rows, floor };
}

export function processesMarkdown(result: ProcessesResult): string {
  const { floor } = result;
  const one = result.rows[0];
  const vsOne = (value: number, of: (row: ProcessesRow) => number) =>
    one === undefined ? 'n/a' : fmtRatio(value / of(one));
  const latency = markdownTable(
    ['processes', 'update crosses', 'p50', 'p95', 'p99', 'max', 'p50 vs 1'],
    [
      ...result.rows.map((row) => [
        String(row.processes),
        row.processes === 1 ? 'no (same process)' : 'yes, to the next process',
        fmtMs(row.latency.p50Ms),
        fmtMs(row.latency.p95Ms),
        fmtMs(row.latency.p99Ms),
        fmtMs(row.latency.maxMs),
        vsOne(row.latency.p50Ms, (r) => r.latency.p50Ms),
      ]),
      [
        'raw PostgreSQL',
        'INSERT + NOTIFY → LISTEN',
        fmtMs(floor.notifyLatency.p50Ms),
        fmtMs(floor.notifyLatency.p95Ms),
        fmtMs(floor.notifyLatency.p99Ms),
        fmtMs(floor.notifyLatency.maxMs),
        '',
      ],
    ],
    2,
  );
  const throughput = markdownTable(
    [
      'processes',
      'clients each',
      'mutations/s',
      'vs 1',
      'p50',
      'p99',
      'server CPU/mutation (all)',
      'OCC retries',
      'failed',
      'lost updates',
      'unacknowledged',
      'warnings logged',
      'load at start',
    ],
    result.rows.map(({ processes, throughput: t, problems, loadAverage }) => [
      String(processes),
      String(t.clients / processes),
      fmtRate(t.converge.opsPerSecond),
      vsOne(t.converge.opsPerSecond, (r) => r.throughput.converge.opsPerSecond),
      fmtMs(t.converge.latency.p50Ms),
      fmtMs(t.converge.latency.p99Ms),
      fmtMs(t.converge.serverCpuMsPerOp, 3),
      `${t.occRetries} in ${t.mutations} mutations`,
      String(t.converge.failures),
      String(t.lostUpdates),
      String(t.unacknowledged),
      String(problems),
      loadAverage.toFixed(2),
    ]),
    1,
  );
  const raw = markdownTable(
    [
      `raw PostgreSQL ${floor.version}, ${floor.connections} connections`,
      'commits/s',
      'p50',
      'p99',
      'backend CPU/commit',
    ],
    [
      rawRow('INSERT + NOTIFY, one statement each', floor.commits),
      rawRow('the same under one advisory lock', floor.lockedCommits),
    ],
  );
  const quoted = result.rows.flatMap((row) =>
    row.firstProblems.map((line) => `- ${row.processes}: \`${line}\``),
  );
  return [
    `Mutation-to-subscriber latency (${one?.latency.samples ?? 0} samples per count):\n`,
    latency,
    `Total throughput, ${result.clients} clients spread evenly, each on a counter of its own:\n`,
    throughput,
    `What PostgreSQL allows with as many connections (synchronous_commit ${floor.synchronousCommit}); ` +
      `one process reaches ${one === undefined ? 'n/a' : fmtPercent(one.throughput.converge.opsPerSecond / floor.lockedCommits.opsPerSecond)} ` +
      `of the locked floor, the ceiling of commits serialized by one lock:\n`,
    raw,
    'The processes, PostgreSQL and the clients all share the cores named above, ' +
      'and any other work on the machine (the load average when each count began is in the last column).\n',
    ...(quoted.length === 0
      ? []
      : ['Warnings and errors logged (by process count):\n', ...quoted, '']),
  ].join('\n');
}

function rawRow(what: string, loop: ThroughputResult): string[] {
  return [
    what,
    fmtRate(loop.opsPerSecond),
    fmtMs(loop.latency.p50Ms),
    fmtMs(loop.latency.p99Ms),
    fmtMs(loop.serverCpuMsPerOp, 3),
  ];
}
