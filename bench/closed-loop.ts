/**
 * The closed loop the throughput workloads share: `workers` callers, each
 * starting its next operation as soon as its previous one settles, for a
 * warm-up round and then `rounds` measured rounds. A round counts the
 * operations started before its deadline and lasts until the last of them
 * settles, so no work is left out of either the count or the time.
 *
 * Each round reads the CPU time of the process serving the operations and
 * of this one, so every rate comes with the CPU milliseconds both sides
 * spent per operation; rates and CPU figures are the median of the rounds,
 * latencies are pooled over them.
 */
import { performance } from 'node:perf_hooks';
import { type LatencySummary, summarizeLatencies } from './latency-summary.ts';
import { median } from './measure.ts';
import { ownCpuMs } from './process-usage.ts';
import { OPERATION_LIMIT_MS, within } from './within.ts';

export interface ClosedLoopOptions {
  workers: number;
  /** One operation by `worker`, the run's `n`th; rejects if it failed. */
  op: (worker: number, n: number) => Promise<void>;
  warmupMs: number;
  roundMs: number;
  rounds: number;
  /** CPU milliseconds used so far by the process serving the operations. */
  serverCpuMs: () => number;
}

export interface ThroughputResult {
  workers: number;
  opsPerSecond: number;
  roundsOpsPerSecond: number[];
  latency: LatencySummary;
  serverCpuMsPerOp: number;
  benchCpuMsPerOp: number;
  /** Operations completed in the measured rounds. */
  ops: number;
  /** Operations that rejected in the measured rounds (not counted in `ops`). */
  failures: number;
  /** The first failure's message, if any. */
  firstFailure?: string;
}

interface Round {
  ops: number;
  failures: number;
  firstFailure: string | undefined;
  seconds: number;
  serverCpuMs: number;
  benchCpuMs: number;
  latenciesMs: number[];
}

export async function closedLoop(
  options: ClosedLoopOptions,
): Promise<ThroughputResult> {
  let n = 0;
  const round = async (ms: number): Promise<Round> => {
    const latenciesMs: number[] = [];
    let ops = 0;
    let failures = 0;
    let firstFailure: string | undefined;
    const serverBefore = options.serverCpuMs();
    const benchBefore = ownCpuMs();
    const start = performance.now();
    const deadline = start + ms;
    const worker = async (id: number) => {
      while (performance.now() < deadline) {
        const began = performance.now();
        try {
          await within(options.op(id, n++), OPERATION_LIMIT_MS, 'an operation');
          latenciesMs.push(performance.now() - began);
          ops += 1;
        } catch (error) {
          failures += 1;
          firstFailure ??=
            error instanceof Error ? error.message : String(error);
        }
      }
    };
    await Promise.all(
      Array.from({ length: options.workers }, (_, id) => worker(id)),
    );
    return {
      ops,
      failures,
      firstFailure,
      seconds: (performance.now() - start) / 1000,
      serverCpuMs: options.serverCpuMs() - serverBefore,
      benchCpuMs: ownCpuMs() - benchBefore,
      latenciesMs,
    };
  };

  await round(options.warmupMs);
  const rounds: Round[] = [];
  for (let i = 0; i < options.rounds; i++)
    rounds.push(await round(options.roundMs));
  const perOp = (value: (r: Round) => number) =>
    median(rounds.map((r) => (r.ops === 0 ? Number.NaN : value(r) / r.ops)));
  const roundsOpsPerSecond = rounds.map((r) => r.ops / r.seconds);
  const firstFailure = rounds.find((r) => r.firstFailure)?.firstFailure;
  return {
    workers: options.workers,
    opsPerSecond: median(roundsOpsPerSecond),
    roundsOpsPerSecond,
    latency: summarizeLatencies(rounds.flatMap((r) => r.latenciesMs)),
    serverCpuMsPerOp: perOp((r) => r.serverCpuMs),
    benchCpuMsPerOp: perOp((r) => r.benchCpuMs),
    ops: rounds.reduce((sum, r) => sum + r.ops, 0),
    failures: rounds.reduce((sum, r) => sum + r.failures, 0),
    ...(firstFailure === undefined ? {} : { firstFailure }),
  };
}
