import { mutationGeneric, queryGeneric } from 'convex/server';
import { ConvexError } from 'convex/values';

export const fails = queryGeneric(async () => {
  throw new Error('boom');
});

export const refuses = mutationGeneric(async (ctx) => {
  await ctx.db.insert('log', { tried: true });
  throw new ConvexError({ code: 'forbidden', limit: 3n });
});

export const count = queryGeneric(
  async (ctx) => (await ctx.db.query('log').collect()).length,
);
