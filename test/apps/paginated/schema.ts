import { defineSchema, defineTable } from 'convex/server';
import { v } from 'convex/values';

// One table read in the order of an index, so that rows inserted later can
// land in the middle of pages already loaded as well as past their end.
export default defineSchema({
  items: defineTable({ rank: v.number() }).index('by_rank', ['rank']),
});
