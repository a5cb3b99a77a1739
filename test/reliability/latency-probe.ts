/**
 * Mutation-to-subscriber latency as a Convex app feels it: one official
 * client bumps a counter and another, subscribed to it, sees the new value.
 * Each sample is the time from sending the mutation to the update arriving.
 */
import { ConvexClient } from 'convex/browser';
import { makeFunctionReference } from 'convex/server';

const increment = makeFunctionReference<'mutation', { name: string }, null>(
  'counters:increment',
);
const get = makeFunctionReference<'query', { name: string }, number>(
  'counters:get',
);

export interface LatencyProbe extends AsyncDisposable {
  /** One round trip, in milliseconds. */
  sample(): Promise<number>;
  /** `count` round trips in turn. */
  samples(count: number): Promise<number[]>;
}

export async function openLatencyProbe(
  url: string,
  counter = 'latency-probe',
): Promise<LatencyProbe> {
  const writer = new ConvexClient(url, { logger: false });
  const reader = new ConvexClient(url, { logger: false });
  let seen = -1;
  let waiter: { until: number; resolve(): void } | null = null;
  const stop = reader.onUpdate(get, { name: counter }, (value) => {
    seen = value;
    if (waiter && value >= waiter.until) {
      waiter.resolve();
      waiter = null;
    }
  });
  const reach = (until: number) =>
    seen >= until
      ? Promise.resolve()
      : new Promise<void>((resolve) => {
          waiter = { until, resolve };
        });
  await reach(0);
  const sample = async (): Promise<number> => {
    const target = seen + 1;
    const start = performance.now();
    const arrived = reach(target);
    await writer.mutation(increment, { name: counter });
    await arrived;
    return performance.now() - start;
  };
  return {
    sample,
    samples: async (count) => {
      const times: number[] = [];
      for (let i = 0; i < count; i++) times.push(await sample());
      return times;
    },
    [Symbol.asyncDispose]: async () => {
      stop();
      await Promise.all([writer.close(), reader.close()]);
    },
  };
}

/** The `p`th percentile (0 to 100) of `values`, by nearest rank. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(0, Math.ceil((p / 100) * sorted.length) - 1);
  const value = sorted[rank];
  if (value === undefined) throw new Error('no samples');
  return value;
}
