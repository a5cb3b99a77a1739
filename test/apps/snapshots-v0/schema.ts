import { defineSchema, defineTable } from 'convex/server';
import { v } from 'convex/values';

// The app before it had books (test/apps/snapshots is the next version):
// a server that ran it first gave authors the first table number.
export default defineSchema({
  authors: defineTable({ name: v.string(), born: v.optional(v.number()) }),
});
