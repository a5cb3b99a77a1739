/**
 * The bench app's tables (issue 8, W1–W10): small documents looked up by
 * key, named counters, bank accounts for the transfer workload, and a feed
 * whose newest 100 posts make a large query result. Every lookup goes
 * through an index, as a tuned app's would.
 */
import { defineSchema, defineTable } from 'convex/server';
import { v } from 'convex/values';

export default defineSchema({
  items: defineTable({ key: v.string(), body: v.string() }).index('by_key', [
    'key',
  ]),
  counters: defineTable({ name: v.string(), value: v.number() }).index(
    'by_name',
    ['name'],
  ),
  accounts: defineTable({ name: v.string(), balance: v.number() }).index(
    'by_name',
    ['name'],
  ),
  posts: defineTable({
    channel: v.string(),
    author: v.string(),
    body: v.string(),
    likes: v.number(),
  }).index('by_channel', ['channel']),
});
