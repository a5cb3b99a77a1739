/**
 * The differential app's mutations: each write returns what a read of the
 * document sees afterwards, in the same transaction.
 */
import { v } from 'convex/values';
import { mutation } from './_generated/server.ts';
import { type Plan, type Terminal, runPlan } from './plan.ts';

const anyId = v.union(v.id('items'), v.id('notes'));
const table = v.union(v.literal('items'), v.literal('notes'));

export const insert = mutation({
  args: { table, doc: v.any() },
  handler: async (ctx, args) => {
    const id = await ctx.db.insert(args.table, args.doc);
    return await ctx.db.get(id);
  },
});

/** Patches `set`, and removes the `unset` fields by patching them to `undefined`. */
export const patch = mutation({
  args: { id: anyId, set: v.any(), unset: v.array(v.string()) },
  handler: async (ctx, args) => {
    const removed = Object.fromEntries(args.unset.map((f) => [f, undefined]));
    await ctx.db.patch(args.id, { ...args.set, ...removed });
    return await ctx.db.get(args.id);
  },
});

export const replace = mutation({
  args: { id: anyId, doc: v.any() },
  handler: async (ctx, args) => {
    await ctx.db.replace(args.id, args.doc);
    return await ctx.db.get(args.id);
  },
});

export const remove = mutation({
  args: { id: anyId },
  handler: async (ctx, { id }) => {
    await ctx.db.delete(id);
    return await ctx.db.get(id);
  },
});

/** Inserts, then fails: nothing it wrote may remain. */
export const insertThenThrow = mutation({
  args: { table, doc: v.any() },
  handler: async (ctx, args) => {
    await ctx.db.insert(args.table, args.doc);
    throw new Error('thrown after an insert');
  },
});

/** Inserts several documents, then runs a query plan that sees them before they commit. */
export const insertAndRead = mutation({
  args: { table, docs: v.array(v.any()), plan: v.any(), terminal: v.any() },
  handler: async (ctx, args) => {
    const inserted = [];
    for (const doc of args.docs) {
      inserted.push(await ctx.db.get(await ctx.db.insert(args.table, doc)));
    }
    const read = await runPlan(
      ctx.db,
      args.plan as Plan,
      args.terminal as Terminal,
    );
    return { inserted, read };
  },
});
