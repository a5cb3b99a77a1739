import {
  internalMutationGeneric,
  makeFunctionReference,
  mutationGeneric,
} from 'convex/server';
import { v } from 'convex/values';

const tickRef = makeFunctionReference<'mutation', { n: number }>('jobs:tick');

// One job due in an hour (pending), one now (it runs), one that fails.
export const plan = mutationGeneric({
  args: {},
  handler: async (ctx) => {
    await ctx.scheduler.runAfter(3_600_000, tickRef, { n: 1 });
    await ctx.scheduler.runAfter(0, tickRef, { n: 2 });
    await ctx.scheduler.runAfter(0, tickRef, { n: -1 });
  },
});

export const tick = internalMutationGeneric({
  args: { n: v.number() },
  handler: async (_ctx, { n }) => {
    if (n < 0) throw new Error(`cannot tick ${n}`);
    console.log('tick', n);
  },
});
