/**
 * The ledger: an append-only log of (writer, seq) rows for the reliability
 * suite. Each `append` inserts exactly one row, so after a storm of crashes
 * or cut connections the rows say how many times each mutation was applied.
 * Nothing here deduplicates: that is the server's job, and the tests check it.
 */
import { mutationGeneric, queryGeneric } from 'convex/server';
import { v } from 'convex/values';

/**
 * Inserts one row and returns its id. With `fail`, inserts it and then
 * throws, so the row must never be seen: a rejected mutation that left its
 * write behind would show up as a row.
 */
export const append = mutationGeneric({
  args: { writer: v.string(), seq: v.number(), fail: v.optional(v.boolean()) },
  handler: async (ctx, { writer, seq, fail }) => {
    const id = await ctx.db.insert('entries', { writer, seq });
    if (fail === true) throw new Error(`append ${writer}#${seq} refused`);
    return id;
  },
});

/** A writer's seqs in order, duplicates included. */
export const seqs = queryGeneric({
  args: { writer: v.string() },
  handler: async (ctx, { writer }) =>
    (
      await ctx.db
        .query('entries')
        .withIndex('by_writer', (q) => q.eq('writer', writer))
        .collect()
    ).map((entry) => entry.seq),
});

/** Every row as `writer#seq`, in index order, duplicates included. */
export const all = queryGeneric({
  args: {},
  handler: async (ctx) =>
    (await ctx.db.query('entries').withIndex('by_writer').collect()).map(
      (entry) => `${entry.writer}#${entry.seq}`,
    ),
});

export const count = queryGeneric({
  args: {},
  handler: async (ctx) => (await ctx.db.query('entries').collect()).length,
});

/**
 * A writer's seqs padded with `bytes` characters of ballast: a result large
 * enough that its Transition travels in chunks, and a new one whenever the
 * writer appends.
 */
export const bulky = queryGeneric({
  args: { writer: v.string(), bytes: v.number() },
  handler: async (ctx, { writer, bytes }) => {
    const seqs = (
      await ctx.db
        .query('entries')
        .withIndex('by_writer', (q) => q.eq('writer', writer))
        .collect()
    ).map((entry) => entry.seq);
    return { seqs, ballast: '.'.repeat(bytes) };
  },
});
