import { mutationGeneric, queryGeneric } from 'convex/server';
import { v } from 'convex/values';

/**
 * A result that changes fast and weighs a lot: every write replaces one
 * slot's body, and every subscriber of `all` is owed every slot again.
 */
export const all = queryGeneric({
  args: {},
  handler: async (ctx) => await ctx.db.query('blobs').collect(),
});

export const put = mutationGeneric({
  args: { slot: v.number(), bytes: v.number(), round: v.number() },
  handler: async (ctx, { slot, bytes, round }) => {
    const body = String(round).padEnd(bytes, '.');
    const existing = await ctx.db
      .query('blobs')
      .withIndex('by_slot', (q) => q.eq('slot', slot))
      .unique();
    if (existing) await ctx.db.patch(existing._id, { body, round });
    else await ctx.db.insert('blobs', { slot, body, round });
  },
});
