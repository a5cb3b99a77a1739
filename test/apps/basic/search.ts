import {
  actionGeneric,
  makeFunctionReference,
  mutationGeneric,
  paginationOptsValidator,
  queryGeneric,
} from 'convex/server';
import { v } from 'convex/values';

export const messages = queryGeneric({
  args: { text: v.string(), channel: v.optional(v.string()) },
  handler: async (ctx, { text, channel }) =>
    (
      await ctx.db
        .query('messages')
        .withSearchIndex('search_body', (q) =>
          channel === undefined
            ? q.search('body', text)
            : q.search('body', text).eq('channel', channel),
        )
        .take(10)
    ).map((message) => message.body),
});

export const pages = queryGeneric({
  args: { text: v.string(), paginationOpts: paginationOptsValidator },
  handler: async (ctx, { text, paginationOpts }) =>
    await ctx.db
      .query('messages')
      .withSearchIndex('search_body', (q) => q.search('body', text))
      .paginate(paginationOpts),
});

export const addEmbedding = mutationGeneric({
  args: { kind: v.string(), label: v.string(), vector: v.array(v.float64()) },
  handler: async (ctx, args) => await ctx.db.insert('embeddings', args),
});

const labelsRef = makeFunctionReference<'query'>('search:labels');

export const labels = queryGeneric({
  args: { ids: v.array(v.id('embeddings')) },
  handler: async (ctx, { ids }) =>
    await Promise.all(ids.map(async (id) => (await ctx.db.get(id))?.label)),
});

export const nearest = actionGeneric({
  args: { vector: v.array(v.float64()), kind: v.optional(v.string()) },
  handler: async (ctx, { vector, kind }) => {
    const results = await ctx.vectorSearch('embeddings', 'by_vector', {
      vector,
      limit: 2,
      ...(kind === undefined ? {} : { filter: (q) => q.eq('kind', kind) }),
    });
    return {
      labels: await ctx.runQuery(labelsRef, { ids: results.map((r) => r._id) }),
      scores: results.map((r) => Math.round(r._score * 1000) / 1000),
    };
  },
});
