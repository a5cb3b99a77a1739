import { internalQueryGeneric, mutationGeneric } from 'convex/server';
import { v } from 'convex/values';

// Logs as it runs, and says who called it: what a dashboard's runner shows.
export const greet = mutationGeneric({
  args: { name: v.string(), times: v.optional(v.number()) },
  handler: async (ctx, { name, times }) => {
    const identity = await ctx.auth.getUserIdentity();
    console.log('greeting', name);
    console.info('as', identity?.subject ?? 'nobody');
    return {
      greeting: `Hello, ${name}!`.repeat(times ?? 1),
      by: identity?.subject ?? null,
    };
  },
});

export const whisper = internalQueryGeneric(async () => {
  console.warn('only an admin hears this');
  return 'psst';
});
