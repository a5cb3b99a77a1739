import { defineSchema, defineTable } from 'convex/server';
import { v } from 'convex/values';

export default defineSchema({
  messages: defineTable({
    channel: v.string(),
    body: v.string(),
    author: v.optional(v.string()),
  })
    .index('by_channel', ['channel'])
    .searchIndex('search_body', {
      searchField: 'body',
      filterFields: ['channel'],
    }),
  embeddings: defineTable({
    kind: v.string(),
    label: v.string(),
    vector: v.array(v.float64()),
  }).vectorIndex('by_vector', {
    vectorField: 'vector',
    dimensions: 3,
    filterFields: ['kind'],
  }),
  counters: defineTable({ name: v.string(), value: v.number() }).index(
    'by_name',
    ['name'],
  ),
});
