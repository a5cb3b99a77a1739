/**
 * The timing loop the benchmarks share: how many units an operation gets
 * through per second when run back to back, and the median of rounds.
 */
import { hrtime } from 'node:process';

export type Op = () => Promise<number> | number;

/** Units per second of `op` (each call returns how many it did), run back to back for `durationMs`. */
export async function measure(op: Op, durationMs: number): Promise<number> {
  const budget = BigInt(Math.round(durationMs * 1e6));
  const start = hrtime.bigint();
  let units = 0;
  let elapsed = 0n;
  do {
    units += await op();
    elapsed = hrtime.bigint() - start;
  } while (elapsed < budget);
  return units / (Number(elapsed) / 1e9);
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}
