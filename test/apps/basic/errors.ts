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

export const neverResolves = queryGeneric(async (ctx) => {
  await ctx.db.query('messages').first();
  await new Promise(() => undefined);
});

/** Burns user time between writes: about 20 rounds of 100 ms or more, past the 1 s limit. */
export const spins = mutationGeneric(async (ctx) => {
  for (let round = 0; round < 20; round++) {
    let x = 0;
    for (let j = 0; j < 1e8; j++) x += j % 7;
    await ctx.db.insert('messages', { channel: 'spin', body: String(x) });
  }
  return 'finished';
});

export const breaksSchema = mutationGeneric(async (ctx) => {
  await ctx.db.insert('messages', { channel: 'general', body: 7 });
});
