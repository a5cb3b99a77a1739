import { defineSchema, defineTable } from 'convex/server';
import { v } from 'convex/values';

export default defineSchema({
  notes: defineTable({
    list: v.string(),
    text: v.string(),
    author: v.optional(v.string()),
  }).index('by_list', ['list']),
});
