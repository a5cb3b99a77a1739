import { queryGeneric } from 'convex/server';

// Who the caller is, as the function sees it: null when signed out.
export const whoami = queryGeneric({
  args: {},
  handler: async (ctx) => await ctx.auth.getUserIdentity(),
});
