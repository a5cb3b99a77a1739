import {
  internalQueryGeneric,
  mutationGeneric,
  queryGeneric,
} from 'convex/server';
import { v } from 'convex/values';

export const add = mutationGeneric({
  args: { text: v.string() },
  handler: async (ctx, { text }) => {
    console.log('adding note', text);
    return await ctx.db.insert('notes', { text });
  },
});

export const list = queryGeneric({
  args: {},
  handler: async (ctx) =>
    (await ctx.db.query('notes').collect()).map((note) => note.text),
});

export const secret = internalQueryGeneric({
  args: {},
  handler: async () => 'only for admins',
});

export const whoami = queryGeneric({
  args: {},
  handler: async (ctx) => (await ctx.auth.getUserIdentity())?.subject ?? null,
});
