import {
  createFunctionHandle,
  internalMutationGeneric,
  makeFunctionReference,
  mutationGeneric,
  queryGeneric,
} from 'convex/server';
import { ConvexError, v } from 'convex/values';

const increment = makeFunctionReference<'mutation'>('counters:increment');
const get = makeFunctionReference<'query'>('counters:get');
const incrementThenFailRef = makeFunctionReference<'mutation'>(
  'nesting:incrementThenFail',
);
const recurseRef = makeFunctionReference<'query'>('nesting:recurse');

export const incrementThenFail = internalMutationGeneric({
  args: { name: v.string() },
  handler: async (ctx, { name }) => {
    await ctx.runMutation(increment, { name });
    console.log('about to fail');
    throw new ConvexError({ code: 'nested', name });
  },
});

/** Increments, tries a nested mutation that increments and fails, and reads the counter back. */
export const incrementAndTry = mutationGeneric({
  args: { name: v.string() },
  handler: async (ctx, { name }) => {
    await ctx.runMutation(increment, { name });
    let caught: unknown = null;
    try {
      await ctx.runMutation(incrementThenFailRef, { name });
    } catch (error) {
      caught = error instanceof ConvexError ? error.data : String(error);
    }
    const seen = await ctx.runQuery(get, { name });
    const stale = await ctx.runQuery(get, { name }, { useStaleSnapshot: true });
    return { caught, seen, stale };
  },
});

export const recurse = queryGeneric({
  args: { depth: v.number() },
  handler: async (ctx, { depth }): Promise<number> =>
    depth === 0
      ? 0
      : 1 + (await ctx.runQuery(recurseRef, { depth: depth - 1 })),
});

export const mutateFromQuery = queryGeneric(async () => {
  // A query's ctx has no runMutation; the syscall made by hand must still fail.
  const host = (
    globalThis as unknown as {
      Convex: { asyncSyscall(op: string, args: string): Promise<string> };
    }
  ).Convex;
  return await host.asyncSyscall(
    '1.0/runUdf',
    JSON.stringify({
      udfType: 'mutation',
      name: 'counters:increment',
      args: { name: 'q' },
    }),
  );
});

export const viaHandle = mutationGeneric({
  args: { name: v.string() },
  handler: async (ctx, { name }) => {
    const handle = await createFunctionHandle(increment);
    await ctx.runMutation(handle, { name });
    return { handle, value: await ctx.runQuery(get, { name }) };
  },
});

export const meta = mutationGeneric(async (ctx) => {
  await ctx.db.insert('counters', { name: 'meta', value: 1 });
  const metrics = await ctx.meta.getTransactionMetrics();
  return {
    fn: await ctx.meta.getFunctionMetadata(),
    documentsWritten: metrics.documentsWritten,
    // `count()` is internal API of convex/server, absent from its types.
    count: await (
      ctx.db.query('counters') as unknown as { count(): Promise<number> }
    ).count(),
  };
});
