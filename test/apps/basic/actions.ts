import {
  actionGeneric,
  internalActionGeneric,
  makeFunctionReference,
} from 'convex/server';
import { ConvexError, v } from 'convex/values';

const send = makeFunctionReference<'mutation'>('messages:send');
const list = makeFunctionReference<'query'>('messages:list');

export const post = actionGeneric({
  args: { channel: v.string(), body: v.string() },
  handler: async (ctx, args) => {
    const id = await ctx.runMutation(send, args);
    const messages = await ctx.runQuery(list, { channel: args.channel });
    console.info('posted', id);
    return { id, count: messages.length, now: Date.now() };
  },
});

export const catchesConvexError = actionGeneric(async (ctx) => {
  try {
    await ctx.runMutation(
      makeFunctionReference<'mutation'>('errors:refuses'),
      {},
    );
    return 'not thrown';
  } catch (error) {
    return error instanceof ConvexError
      ? { caught: error.data }
      : { other: String(error) };
  }
});

export const clearsInternally = actionGeneric(async (ctx) => {
  await ctx.runMutation(
    makeFunctionReference<'mutation'>('messages:clear'),
    {},
  );
  return await ctx.runQuery(list, { channel: 'general' });
});

export const secret = internalActionGeneric(async () => 'internal');
