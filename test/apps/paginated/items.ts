import {
  mutationGeneric,
  paginationOptsValidator,
  queryGeneric,
} from 'convex/server';
import { v } from 'convex/values';

// The items in rank order, a page at a time: what usePaginatedQuery subscribes to.
export const list = queryGeneric({
  args: { paginationOpts: paginationOptsValidator },
  handler: async (ctx, { paginationOpts }) =>
    await ctx.db.query('items').withIndex('by_rank').paginate(paginationOpts),
});

// The same items in one piece: the table as it is, to compare pages with.
export const all = queryGeneric({
  args: {},
  handler: async (ctx) =>
    await ctx.db.query('items').withIndex('by_rank').collect(),
});

export const insert = mutationGeneric({
  args: { rank: v.number() },
  returns: v.id('items'),
  handler: async (ctx, { rank }) => await ctx.db.insert('items', { rank }),
});

export const remove = mutationGeneric({
  args: { id: v.id('items') },
  handler: async (ctx, { id }) => {
    await ctx.db.delete(id);
  },
});
