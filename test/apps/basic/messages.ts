import {
  internalMutationGeneric,
  mutationGeneric,
  queryGeneric,
} from 'convex/server';
import { v } from 'convex/values';

// Import-time code: the clock and randomness are fixed for the deployment.
export const loadedAt = Date.now();

export const list = queryGeneric({
  args: { channel: v.string() },
  handler: async (ctx, { channel }) => {
    console.log('listing', channel);
    return await ctx.db
      .query('messages')
      .withIndex('by_channel', (q) => q.eq('channel', channel))
      .collect();
  },
});

export const send = mutationGeneric({
  args: { channel: v.string(), body: v.string() },
  returns: v.id('messages'),
  handler: async (ctx, args) => await ctx.db.insert('messages', args),
});

export const clear = internalMutationGeneric(async (ctx) => {
  for (const message of await ctx.db.query('messages').collect())
    await ctx.db.delete(message._id);
});

export default queryGeneric(async () => 'the default export');

export const remove = mutationGeneric({
  args: { id: v.id('messages') },
  handler: async (ctx, { id }) => {
    await ctx.db.delete(id);
  },
});
