import { defineSchema, defineTable } from 'convex/server';
import { v } from 'convex/values';

export default defineSchema({
  /** One register per key: the tokens appended to it, oldest first, and their SHA-256. */
  registers: defineTable({
    key: v.string(),
    list: v.array(v.string()),
    checksum: v.string(),
  }).index('by_key', ['key']),
});
