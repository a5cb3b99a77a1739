import { v } from 'convex/values';
import { internalMutation, mutation, query } from './_generated/server.js';
import { requireUser } from './users.js';

/**
 * A user is here while their last heartbeat is this recent. Clients beat
 * every 10 s, so one lost beat does not make anyone leave.
 */
const PRESENCE_TIMEOUT_MS = 30_000;

/** Marks the signed-in user as present in the room now. */
export const heartbeat = mutation({
  args: { roomId: v.id('rooms') },
  handler: async (ctx, { roomId }) => {
    const user = await requireUser(ctx, 'join a room');
    const existing = await ctx.db
      .query('presence')
      .withIndex('by_room_user', (q) =>
        q.eq('roomId', roomId).eq('userId', user._id),
      )
      .unique();
    const lastSeen = Date.now();
    if (existing === null) {
      await ctx.db.insert('presence', {
        roomId,
        userId: user._id,
        name: user.name,
        lastSeen,
      });
    } else {
      await ctx.db.patch(existing._id, { name: user.name, lastSeen });
    }
  },
});

/** Removes the signed-in user from the room at once, without waiting to go stale. */
export const leave = mutation({
  args: { roomId: v.id('rooms') },
  handler: async (ctx, { roomId }) => {
    const user = await requireUser(ctx, 'leave a room');
    const existing = await ctx.db
      .query('presence')
      .withIndex('by_room_user', (q) =>
        q.eq('roomId', roomId).eq('userId', user._id),
      )
      .unique();
    if (existing !== null) await ctx.db.delete(existing._id);
  },
});

/**
 * Who is here: the room's users with a recent heartbeat, by name. A query
 * reruns only when its data changes, not when time passes, so the entries
 * that go stale between heartbeats disappear when `prune` deletes them.
 */
export const list = query({
  args: { roomId: v.id('rooms') },
  handler: async (ctx, { roomId }) => {
    const since = Date.now() - PRESENCE_TIMEOUT_MS;
    const present = await ctx.db
      .query('presence')
      .withIndex('by_room_seen', (q) =>
        q.eq('roomId', roomId).gt('lastSeen', since),
      )
      .collect();
    return present
      .map(({ userId, name, lastSeen }) => ({ userId, name, lastSeen }))
      .sort((a, b) => a.name.localeCompare(b.name));
  },
});

/** Deletes the stale entries of every room; crons.ts runs it every minute. */
export const prune = internalMutation({
  args: {},
  handler: async (ctx) => {
    const stale = await ctx.db
      .query('presence')
      .withIndex('by_seen', (q) =>
        q.lt('lastSeen', Date.now() - PRESENCE_TIMEOUT_MS),
      )
      .collect();
    for (const entry of stale) await ctx.db.delete(entry._id);
    return stale.length;
  },
});
