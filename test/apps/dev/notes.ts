// The app `converge dev` reloads in test/e2e/dev-reload.test.ts, which
// rewrites this file in a copy of the directory.
import { mutationGeneric, queryGeneric } from 'convex/server';
import { v } from 'convex/values';

export const list = queryGeneric({
  args: {},
  handler: async (ctx) =>
    (await ctx.db.query('notes').collect()).map((note) => note.text),
});

export const add = mutationGeneric({
  args: { text: v.string() },
  handler: async (ctx, { text }) => {
    await ctx.db.insert('notes', { text });
  },
});
