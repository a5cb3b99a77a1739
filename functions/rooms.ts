import { ConvexError, v } from 'convex/values';
import { mutation, query } from './_generated/server.js';
import { requireUser } from './users.js';

/** Room names appear in URLs (see http.ts), so they stay URL-safe. */
const ROOM_NAME = /^[a-z0-9][a-z0-9-]{0,31}$/;

/** Every room, by name. */
export const list = query({
  args: {},
  handler: async (ctx) =>
    await ctx.db.query('rooms').withIndex('by_name').collect(),
});

/** The room of that name, or null. */
export const get = query({
  args: { name: v.string() },
  handler: async (ctx, { name }) =>
    await ctx.db
      .query('rooms')
      .withIndex('by_name', (q) => q.eq('name', name))
      .unique(),
});

/** Creates the room, or returns the one that already has this name. */
export const create = mutation({
  args: { name: v.string() },
  handler: async (ctx, { name }) => {
    const user = await requireUser(ctx, 'create a room');
    if (!ROOM_NAME.test(name)) {
      throw new ConvexError(
        'A room name is 1 to 32 lowercase letters, digits and dashes.',
      );
    }
    const existing = await ctx.db
      .query('rooms')
      .withIndex('by_name', (q) => q.eq('name', name))
      .unique();
    return (
      existing?._id ??
      (await ctx.db.insert('rooms', { name, createdBy: user._id }))
    );
  },
});
