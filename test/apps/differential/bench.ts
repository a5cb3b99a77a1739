/** The two functions `npm run bench` times on both backends: an index query of ten rows, and one insert. */
import { v } from 'convex/values';
import { mutation, query } from './_generated/server.ts';

export const tenByTag = query({
  args: { tag: v.string() },
  handler: async (ctx, { tag }) =>
    await ctx.db
      .query('items')
      .withIndex('by_tag_n', (q) => q.eq('tag', tag))
      .take(10),
});

export const insertItem = mutation({
  args: { n: v.number(), s: v.string(), tag: v.string() },
  handler: async (ctx, args) => await ctx.db.insert('items', args),
});
