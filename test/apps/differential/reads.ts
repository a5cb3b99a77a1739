/** The differential app's queries: point reads, query plans, page walks, creation-time ranges. */
import { paginationOptsValidator } from 'convex/server';
import { v } from 'convex/values';
import { query } from './_generated/server.ts';
import { type Plan, type Terminal, buildQuery, runPlan } from './plan.ts';

const anyId = v.union(v.id('items'), v.id('notes'));

export const get = query({
  args: { id: anyId },
  handler: async (ctx, { id }) => await ctx.db.get(id),
});

export const run = query({
  args: { plan: v.any(), terminal: v.any() },
  handler: async (ctx, args) =>
    await runPlan(ctx.db, args.plan as Plan, args.terminal as Terminal),
});

export const page = query({
  args: { plan: v.any(), paginationOpts: paginationOptsValidator },
  handler: async (ctx, args) =>
    await buildQuery(ctx.db, args.plan as Plan).paginate(args.paginationOpts),
});

/** The documents of `table` created after `id` was, by the built-in creation-time index. */
export const createdAfter = query({
  args: {
    table: v.union(v.literal('items'), v.literal('notes')),
    id: anyId,
    order: v.union(v.literal('asc'), v.literal('desc')),
  },
  handler: async (ctx, { table, id, order }) => {
    const doc = await ctx.db.get(id);
    if (doc === null) return null;
    return await ctx.db
      .query(table)
      .withIndex('by_creation_time', (q) =>
        q.gt('_creationTime', doc._creationTime),
      )
      .order(order)
      .collect();
  },
});
