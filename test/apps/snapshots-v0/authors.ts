import { mutationGeneric } from 'convex/server';
import { v } from 'convex/values';

export const addAuthor = mutationGeneric({
  args: { name: v.string(), born: v.optional(v.number()) },
  handler: (ctx, args) => ctx.db.insert('authors', args),
});
