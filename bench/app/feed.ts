/**
 * A channel's feed for W9: the 100 newest posts are one query result of
 * about 100 documents, and every post changes it for every subscriber.
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

/** A feed page as apps show one; 100 is also the size issue 8 asks W9 to send. */
const PAGE = 100;

export const latest = query({
  args: { channel: v.string() },
  handler: async (ctx, { channel }) =>
    ctx.db
      .query('posts')
      .withIndex('by_channel', (q) => q.eq('channel', channel))
      .order('desc')
      .take(PAGE),
});

export const post = mutation({
  args: { channel: v.string(), author: v.string(), body: v.string() },
  handler: async (ctx, { channel, author, body }) => {
    await ctx.db.insert('posts', { channel, author, body, likes: 0 });
  },
});

/** Likes the newest post of `channel`: the result changes, its size does not. */
export const like = mutation({
  args: { channel: v.string() },
  handler: async (ctx, { channel }) => {
    const newest = await ctx.db
      .query('posts')
      .withIndex('by_channel', (q) => q.eq('channel', channel))
      .order('desc')
      .first();
    if (newest) await ctx.db.patch(newest._id, { likes: newest.likes + 1 });
  },
});
