import {
  internalMutationGeneric,
  mutationGeneric,
  queryGeneric,
} from 'convex/server';
import { ConvexError, v } from 'convex/values';

export const list = queryGeneric({
  args: { list: v.string() },
  handler: async (ctx, { list }) =>
    await ctx.db
      .query('notes')
      .withIndex('by_list', (q) => q.eq('list', list))
      .collect(),
});

export const count = queryGeneric({
  args: { list: v.string() },
  handler: async (ctx, { list }) =>
    (
      await ctx.db
        .query('notes')
        .withIndex('by_list', (q) => q.eq('list', list))
        .collect()
    ).length,
});

// The author is whoever the caller is signed in as, if anyone.
export const add = mutationGeneric({
  args: { list: v.string(), text: v.string() },
  returns: v.id('notes'),
  handler: async (ctx, { list, text }) => {
    const identity = await ctx.auth.getUserIdentity();
    return await ctx.db.insert('notes', {
      list,
      text,
      ...(identity ? { author: identity.subject } : {}),
    });
  },
});

// Writes, then refuses: the write must not survive the refusal.
export const refuse = mutationGeneric({
  args: { list: v.string() },
  handler: async (ctx, { list }) => {
    await ctx.db.insert('notes', { list, text: 'refused' });
    throw new ConvexError({ code: 'refused', limit: 3n });
  },
});

export const broken = queryGeneric(async () => {
  throw new Error('the query broke');
});

export const purge = internalMutationGeneric(async (ctx) => {
  for (const note of await ctx.db.query('notes').collect())
    await ctx.db.delete(note._id);
});
