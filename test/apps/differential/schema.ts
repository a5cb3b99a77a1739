/**
 * The differential app's schema: two tables whose indexes make Convex value
 * order matter. `items` has a required number and string, optional string
 * and int64 fields, and `mixed`, which holds values of every type; `notes`
 * indexes a nested field and a boolean-or-null one.
 */
import { defineSchema, defineTable } from 'convex/server';
import { v } from 'convex/values';

export default defineSchema({
  items: defineTable({
    n: v.number(),
    s: v.string(),
    tag: v.optional(v.string()),
    big: v.optional(v.int64()),
    mixed: v.optional(v.any()),
  })
    .index('by_n', ['n'])
    .index('by_tag_n', ['tag', 'n'])
    .index('by_s_big_n', ['s', 'big', 'n'])
    .index('by_mixed', ['mixed'])
    .index('by_mixed_tag', ['mixed', 'tag']),
  notes: defineTable({
    owner: v.string(),
    meta: v.optional(
      v.object({ rank: v.number(), label: v.optional(v.string()) }),
    ),
    flag: v.union(v.boolean(), v.null()),
  })
    .index('by_owner_rank', ['owner', 'meta.rank'])
    .index('by_flag', ['flag']),
});
