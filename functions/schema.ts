import { defineSchema, defineTable } from 'convex/server';
import { v } from 'convex/values';

export default defineSchema({
  /** Everyone who has signed in and done something, keyed by their token's identity. */
  users: defineTable({
    tokenIdentifier: v.string(),
    name: v.string(),
  }).index('by_token', ['tokenIdentifier']),

  rooms: defineTable({
    name: v.string(),
    createdBy: v.id('users'),
  }).index('by_name', ['name']),

  messages: defineTable({
    roomId: v.id('rooms'),
    /** The sender; unset for the bot. */
    userId: v.optional(v.id('users')),
    /** The sender's name when it was sent, so that a page of history needs no joins. */
    author: v.string(),
    body: v.string(),
    attachmentId: v.optional(v.id('_storage')),
    /** When a scheduled job deletes this message (ms since the epoch); unset: never. */
    expiresAt: v.optional(v.number()),
  })
    .index('by_room', ['roomId'])
    .searchIndex('search_body', {
      searchField: 'body',
      filterFields: ['roomId'],
    }),

  /** One row per user per room, refreshed by heartbeats and pruned once stale. */
  presence: defineTable({
    roomId: v.id('rooms'),
    userId: v.id('users'),
    name: v.string(),
    lastSeen: v.number(),
  })
    .index('by_room_user', ['roomId', 'userId'])
    .index('by_room_seen', ['roomId', 'lastSeen'])
    .index('by_seen', ['lastSeen']),
});
