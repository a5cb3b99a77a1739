import {
  actionGeneric,
  internalActionGeneric,
  makeFunctionReference,
} from 'convex/server';
import { ConvexError, v } from 'convex/values';

const add = makeFunctionReference<'mutation'>('notes:add');
const count = makeFunctionReference<'query'>('notes:count');

// An action writes only through mutations, and reads its own write back.
export const addAndCount = actionGeneric({
  args: { list: v.string(), text: v.string() },
  handler: async (ctx, args) => {
    const id = await ctx.runMutation(add, args);
    const total = await ctx.runQuery(count, { list: args.list });
    return { id, total };
  },
});

export const refuses = actionGeneric(async () => {
  throw new ConvexError({ reason: 'not today', attempts: 2n });
});

export const crashes = actionGeneric(async () => {
  throw new Error('the action crashed');
});

export const secret = internalActionGeneric(async () => 'internal');
