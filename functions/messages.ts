import { v } from 'convex/values';
import { mutation, query } from './_generated/server.js';

/** The latest messages of a channel, oldest first. */
export const list = query({
  args: { channel: v.string(), limit: v.optional(v.number()) },
  handler: async (ctx, { channel, limit }) => {
    const latest = await ctx.db
      .query('messages')
      .withIndex('by_channel', (q) => q.eq('channel', channel))
      .order('desc')
      .take(limit ?? 50);
    return latest.reverse();
  },
});

export const send = mutation({
  args: { channel: v.string(), author: v.string(), body: v.string() },
  handler: async (ctx, message) => {
    if (message.body.trim() === '') throw new Error('A message needs a body.');
    return await ctx.db.insert('messages', message);
  },
});
