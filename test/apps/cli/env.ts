import { queryGeneric } from 'convex/server';

/** What the deployment's `GREETING` variable is now, or null. */
export const read = queryGeneric({
  args: {},
  handler: async () => process.env.GREETING ?? null,
});

/** Convex's system variables: where clients reach the deployment and its HTTP actions. */
export const urls = queryGeneric({
  args: {},
  handler: async () => ({
    cloud: process.env.CONVEX_CLOUD_URL ?? null,
    site: process.env.CONVEX_SITE_URL ?? null,
  }),
});
