/**
 * Latency samples summarized the one way every workload reports them:
 * nearest-rank percentiles over all the samples of a measurement, pooled
 * across its rounds, in milliseconds rounded to the microsecond.
 */

export interface LatencySummary {
  samples: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
}

export function summarizeLatencies(
  samplesMs: readonly number[],
): LatencySummary {
  const sorted = Float64Array.from(samplesMs).sort();
  const at = (q: number): number =>
    sorted.length === 0
      ? Number.NaN
      : (sorted[
          Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)
        ] ?? Number.NaN);
  return {
    samples: sorted.length,
    p50Ms: roundMs(at(0.5)),
    p95Ms: roundMs(at(0.95)),
    p99Ms: roundMs(at(0.99)),
    maxMs: roundMs(at(1)),
  };
}

/**
 * Runs `sample` (one timed operation, resolving with its milliseconds) for
 * the warm-up, whose times are dropped, then for every round, one at a
 * time, and summarizes the times of the rounds.
 */
export async function sampleLatencies(
  sample: () => Promise<number>,
  samples: { warmup: number; perRound: number; rounds: number },
): Promise<LatencySummary> {
  for (let i = 0; i < samples.warmup; i++) await sample();
  const times: number[] = [];
  for (let i = 0; i < samples.perRound * samples.rounds; i++)
    times.push(await sample());
  return summarizeLatencies(times);
}

export function roundMs(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
