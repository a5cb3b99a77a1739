import { mutationGeneric, queryGeneric } from 'convex/server';
import { v } from 'convex/values';

/** One session's own counter, or the one a latency probe bumps and watches. */
export const get = queryGeneric({
  args: { name: v.string() },
  handler: async (ctx, { name }) =>
    (
      await ctx.db
        .query('counters')
        .withIndex('by_name', (q) => q.eq('name', name))
        .unique()
    )?.value ?? 0,
});

export const increment = mutationGeneric({
  args: { name: v.string() },
  handler: async (ctx, { name }) => {
    const counter = await ctx.db
      .query('counters')
      .withIndex('by_name', (q) => q.eq('name', name))
      .unique();
    if (counter) await ctx.db.patch(counter._id, { value: counter.value + 1 });
    else await ctx.db.insert('counters', { name, value: 1 });
  },
});
