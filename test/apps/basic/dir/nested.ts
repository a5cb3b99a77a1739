import { actionGeneric } from 'convex/server';

export const shout = actionGeneric(async (_ctx, { text }: { text: string }) =>
  text.toUpperCase(),
);
