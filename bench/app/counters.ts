/**
 * Named counters: W3's contended read-modify-write, W4's and W5's watched
 * value, W6's and W7's many distinct subscriptions on one index.
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

export const get = query({
  args: { name: v.string() },
  handler: async (ctx, { name }) =>
    (
      await ctx.db
        .query('counters')
        .withIndex('by_name', (q) => q.eq('name', name))
        .unique()
    )?.value ?? 0,
});

export const increment = mutation({
  args: { name: v.string() },
  handler: async (ctx, { name }) => {
    const counter = await ctx.db
      .query('counters')
      .withIndex('by_name', (q) => q.eq('name', name))
      .unique();
    if (counter) await ctx.db.patch(counter._id, { value: counter.value + 1 });
    else await ctx.db.insert('counters', { name, value: 1 });
  },
});
