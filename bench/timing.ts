/**
 * How long each measurement runs in each mode. Quick mode keeps the whole
 * run under five minutes on a 2-core machine: a warm-up long enough for
 * the JIT to settle on the server's hot paths, then three rounds, whose
 * median one noisy round cannot move. Full mode runs five longer rounds,
 * for figures worth comparing across commits.
 */
import type { ClosedLoopOptions } from './closed-loop.ts';

export type Mode = 'quick' | 'full';

export type Timing = Pick<ClosedLoopOptions, 'warmupMs' | 'roundMs' | 'rounds'>;

export const timingByMode: Record<Mode, Timing> = {
  quick: { warmupMs: 500, roundMs: 1000, rounds: 3 },
  full: { warmupMs: 2000, roundMs: 4000, rounds: 5 },
};
