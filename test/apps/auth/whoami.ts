import { queryGeneric } from 'convex/server';

// Who the caller is, as the function sees it: null when signed out.
export default queryGeneric({
  args: {},
  handler: async (ctx) => await ctx.auth.getUserIdentity(),
});
