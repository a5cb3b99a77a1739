import { queryGeneric } from 'convex/server';

/** What the deployment's `GREETING` variable is now, or null. */
export const read = queryGeneric({
  args: {},
  handler: async () => process.env.GREETING ?? null,
});
