import { queryGeneric } from 'convex/server';

// Who the caller is, as a function sees it: null when signed out.
export const whoami = queryGeneric(
  async (ctx) => await ctx.auth.getUserIdentity(),
);
