import { queryGeneric } from 'convex/server';
import { v } from 'convex/values';

/** Every kind of value the clean JSON format writes differently from the encoded one. */
export const awkward = queryGeneric({
  args: {},
  handler: async () => ({
    int: 2n ** 62n,
    negative: -5n,
    bytes: new Uint8Array([0, 16, 131]).buffer,
    nan: NaN,
    infinity: Infinity,
    negativeInfinity: -Infinity,
    list: [1.5, 'text', null, true],
  }),
});

/** Its arguments back, whatever they are. */
export const echo = queryGeneric({
  args: { value: v.any() },
  handler: async (_ctx, { value }) => value,
});

export const fails = queryGeneric({
  args: {},
  handler: async () => {
    throw new Error('this query always fails');
  },
});

export const whoami = queryGeneric({
  args: {},
  handler: async (ctx) => await ctx.auth.getUserIdentity(),
});
