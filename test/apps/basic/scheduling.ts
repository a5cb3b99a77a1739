import {
  actionGeneric,
  internalMutationGeneric,
  makeFunctionReference,
  mutationGeneric,
  queryGeneric,
} from 'convex/server';
import { v } from 'convex/values';

const increment = makeFunctionReference<'mutation'>('counters:increment');
const recordRef = makeFunctionReference<'mutation'>('scheduling:record');
const fromActionRef = makeFunctionReference<'action'>('scheduling:fromAction');

export const record = internalMutationGeneric({
  args: { name: v.string() },
  handler: async (ctx, { name }) => {
    await ctx.db.insert('counters', { name, value: -1 });
  },
});

export const fails = internalMutationGeneric(async (ctx) => {
  await ctx.db.insert('counters', { name: 'never', value: 0 });
  throw new Error('scheduled failure');
});

/** Schedules an increment now, one in an hour (then cancels it), and an action. */
export const plan = mutationGeneric({
  args: { name: v.string() },
  handler: async (ctx, { name }) => {
    const now = await ctx.scheduler.runAfter(0, increment, { name });
    const later = await ctx.scheduler.runAfter(3_600_000, increment, { name });
    await ctx.scheduler.cancel(later);
    const action = await ctx.scheduler.runAt(Date.now(), fromActionRef, {
      name,
    });
    return { now, later, action };
  },
});

/** Schedules `count` increments of the counters `${name}0`… to run after `delayMs`. */
export const planLater = mutationGeneric({
  args: { name: v.string(), count: v.number(), delayMs: v.number() },
  handler: async (ctx, { name, count, delayMs }) => {
    for (let i = 0; i < count; i++)
      await ctx.scheduler.runAfter(delayMs, increment, { name: `${name}${i}` });
  },
});

export const planThenFail = mutationGeneric(async (ctx) => {
  await ctx.scheduler.runAfter(0, increment, { name: 'rolled back' });
  throw new Error('the scheduling mutation fails');
});

export const planFailure = mutationGeneric(async (ctx) =>
  ctx.scheduler.runAfter(
    0,
    makeFunctionReference<'mutation'>('scheduling:fails'),
    {},
  ),
);

export const planMissing = mutationGeneric(async (ctx) =>
  ctx.scheduler.runAfter(
    0,
    makeFunctionReference<'mutation'>('nowhere:fn'),
    {},
  ),
);

export const fromAction = actionGeneric({
  args: { name: v.string() },
  handler: async (ctx, { name }) => {
    await ctx.scheduler.runAfter(0, recordRef, { name: `${name} from action` });
    return 'scheduled';
  },
});

export const jobs = queryGeneric(async (ctx) =>
  (await ctx.db.system.query('_scheduled_functions').collect()).map((job) => ({
    name: job.name,
    state: job.state.kind,
  })),
);

export const job = queryGeneric({
  args: { id: v.id('_scheduled_functions') },
  handler: async (ctx, { id }) => await ctx.db.system.get(id),
});
