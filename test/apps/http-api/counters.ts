import {
  actionGeneric,
  internalMutationGeneric,
  internalQueryGeneric,
  makeFunctionReference,
  mutationGeneric,
  queryGeneric,
} from 'convex/server';
import { ConvexError, v } from 'convex/values';

// A counter per name, its value an int64 so that bigints travel both ways.

export const get = queryGeneric({
  args: { name: v.string() },
  handler: async (ctx, { name }) => {
    const counter = await ctx.db
      .query('counters')
      .withIndex('by_name', (q) => q.eq('name', name))
      .unique();
    return counter?.value ?? 0n;
  },
});

export const add = mutationGeneric({
  args: { name: v.string(), by: v.int64() },
  handler: async (ctx, { name, by }) => {
    if (by < 0n) throw new ConvexError({ code: 'negative', by, limit: 0n });
    const counter = await ctx.db
      .query('counters')
      .withIndex('by_name', (q) => q.eq('name', name))
      .unique();
    console.log('adding', by, 'to', name);
    if (counter === null) {
      await ctx.db.insert('counters', { name, value: by });
      return by;
    }
    await ctx.db.patch(counter._id, { value: counter.value + by });
    return counter.value + by;
  },
});

/** Reads the counter through a query and doubles it, in an action. */
export const doubled = actionGeneric({
  args: { name: v.string() },
  handler: async (ctx, { name }): Promise<bigint> =>
    2n *
    (await ctx.runQuery(
      makeFunctionReference<'query', { name: string }, bigint>('counters:get'),
      { name },
    )),
});

export const reset = internalMutationGeneric({
  args: { name: v.string() },
  handler: async (ctx, { name }) => {
    const counter = await ctx.db
      .query('counters')
      .withIndex('by_name', (q) => q.eq('name', name))
      .unique();
    if (counter !== null) await ctx.db.delete(counter._id);
    return null;
  },
});

export const peek = internalQueryGeneric({
  args: {},
  handler: async (ctx) => (await ctx.db.query('counters').collect()).length,
});
