import { defineSchema, defineTable } from 'convex/server';
import { v } from 'convex/values';

// Declared books first: a fresh server numbers its tables in this order,
// while the server the data came from may have made authors first.
export default defineSchema({
  books: defineTable({
    title: v.string(),
    author: v.id('authors'),
    copies: v.int64(),
    cover: v.optional(v.bytes()),
    details: v.optional(v.any()),
  }).index('by_author', ['author']),
  authors: defineTable({ name: v.string(), born: v.optional(v.number()) }),
});
