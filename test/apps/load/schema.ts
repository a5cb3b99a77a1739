import { defineSchema, defineTable } from 'convex/server';
import { v } from 'convex/values';

export default defineSchema({
  counters: defineTable({ name: v.string(), value: v.number() }).index(
    'by_name',
    ['name'],
  ),
  blobs: defineTable({
    slot: v.number(),
    body: v.string(),
    round: v.number(),
  }).index('by_slot', ['slot']),
});
