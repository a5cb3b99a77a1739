import { v } from 'convex/values';
import {
  actionGeneric,
  mutationGeneric as mutation,
  queryGeneric as query,
} from 'convex/server';

export const addAuthor = mutation({
  args: { name: v.string(), born: v.optional(v.number()) },
  handler: (ctx, args) => ctx.db.insert('authors', args),
});

export const addBook = mutation({
  args: {
    title: v.string(),
    author: v.id('authors'),
    copies: v.int64(),
    cover: v.optional(v.bytes()),
    details: v.optional(v.any()),
  },
  handler: (ctx, args) => ctx.db.insert('books', args),
});

/** Every author with their books, found through the index on books' author ids. */
export const catalogue = query({
  args: {},
  handler: async (ctx) => {
    const authors = await ctx.db.query('authors').collect();
    return Promise.all(
      authors.map(async (author) => ({
        author,
        books: await ctx.db
          .query('books')
          .withIndex('by_author', (q) => q.eq('author', author._id))
          .collect(),
      })),
    );
  },
});

/** A stored file, as an app makes one. */
export const storeCover = actionGeneric({
  args: { text: v.string() },
  handler: (ctx, args) =>
    ctx.storage.store(new Blob([args.text], { type: 'text/plain' })),
});

export const coverUrl = query({
  args: { id: v.id('_storage') },
  handler: (ctx, args) => ctx.storage.getUrl(args.id),
});
