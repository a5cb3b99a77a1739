/**
 * Small documents by key: the single insert of W2 and the query of W1's
 * round trips. `seed` fills the table in one transaction per call, so that
 * W1 finds a document under every key it asks for.
 */
import {
  type DataModelFromSchemaDefinition,
  type MutationBuilder,
  type QueryBuilder,
  mutationGeneric,
  queryGeneric,
} from 'convex/server';
import { v } from 'convex/values';
import type schema from './schema.ts';

type DataModel = DataModelFromSchemaDefinition<typeof schema>;
const query: QueryBuilder<DataModel, 'public'> = queryGeneric;
const mutation: MutationBuilder<DataModel, 'public'> = mutationGeneric;

export const insert = mutation({
  args: { key: v.string(), body: v.string() },
  handler: async (ctx, { key, body }) => {
    await ctx.db.insert('items', { key, body });
  },
});

export const get = query({
  args: { key: v.string() },
  handler: async (ctx, { key }) =>
    ctx.db
      .query('items')
      .withIndex('by_key', (q) => q.eq('key', key))
      .unique(),
});

/** Inserts `item-<from>` … `item-<from + count - 1>`, each with `body`. */
export const seed = mutation({
  args: { from: v.number(), count: v.number(), body: v.string() },
  handler: async (ctx, { from, count, body }) => {
    for (let n = from; n < from + count; n++)
      await ctx.db.insert('items', { key: `item-${n}`, body });
  },
});
