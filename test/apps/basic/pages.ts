import { paginationOptsValidator, queryGeneric } from 'convex/server';
import { v } from 'convex/values';

export const byChannel = queryGeneric({
  args: { channel: v.string(), paginationOpts: paginationOptsValidator },
  handler: async (ctx, { channel, paginationOpts }) =>
    await ctx.db
      .query('messages')
      .withIndex('by_channel', (q) => q.eq('channel', channel))
      .paginate(paginationOpts),
});

export const all = queryGeneric({
  args: { paginationOpts: paginationOptsValidator },
  handler: async (ctx, { paginationOpts }) =>
    await ctx.db.query('messages').order('desc').paginate(paginationOpts),
});

export const twice = queryGeneric(async (ctx) => {
  await ctx.db.query('messages').paginate({ numItems: 1, cursor: null });
  return await ctx.db.query('messages').paginate({ numItems: 1, cursor: null });
});
