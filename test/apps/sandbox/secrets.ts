import {
  internalMutationGeneric,
  internalQueryGeneric,
  mutationGeneric,
  queryGeneric,
} from 'convex/server';
import { v } from 'convex/values';

// A secret only an admin may read or change, and sized writes and echoes
// for the limits.

export const read = internalQueryGeneric({
  args: {},
  handler: async () => 'the secret',
});

export const change = internalMutationGeneric({
  args: {},
  handler: async () => 'changed',
});

/** How many bytes of text it was given. */
export const echoSize = mutationGeneric({
  args: { text: v.string() },
  handler: async (_ctx, { text }) => text.length,
});

export const measure = queryGeneric({
  args: { text: v.string() },
  handler: async (_ctx, { text }) => text.length,
});

/** Stores a document with a text field of `bytes` characters. */
export const storeSized = mutationGeneric({
  args: { bytes: v.number() },
  handler: async (ctx, { bytes }) =>
    await ctx.db.insert('blobs', { text: 'x'.repeat(bytes) }),
});

/** Stores a note; another deployment's id must not reach it. */
export const storeNote = mutationGeneric({
  args: { text: v.string() },
  handler: async (ctx, { text }) => await ctx.db.insert('notes', { text }),
});

export const readNote = queryGeneric({
  args: { id: v.string() },
  handler: async (ctx, { id }) => {
    const normalized = ctx.db.normalizeId('notes', id);
    return normalized === null ? null : await ctx.db.get(normalized);
  },
});
