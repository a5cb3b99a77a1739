import { queryGeneric } from 'convex/server';

// What the deployment's environment (`--env-file`) says, or null.
export const greeting = queryGeneric({
  args: {},
  handler: async () => process.env.GREETING ?? null,
});
