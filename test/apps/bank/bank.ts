import { mutationGeneric, queryGeneric } from 'convex/server';
import { v } from 'convex/values';

export const open = mutationGeneric({
  args: { names: v.array(v.string()), balance: v.number() },
  handler: async (ctx, { names, balance }) => {
    for (const name of names)
      await ctx.db.insert('accounts', { name, balance });
  },
});

/** Moves `amount` between two accounts and counts the transfer for its client, in one transaction. */
export const transfer = mutationGeneric({
  args: {
    client: v.string(),
    from: v.string(),
    to: v.string(),
    amount: v.number(),
  },
  handler: async (ctx, { client, from, to, amount }) => {
    const account = async (name: string) => {
      const found = await ctx.db
        .query('accounts')
        .withIndex('by_name', (q) => q.eq('name', name))
        .unique();
      if (!found) throw new Error(`no account ${name}`);
      return found;
    };
    const source = await account(from);
    const target = await account(to);
    await ctx.db.patch(source._id, { balance: source.balance - amount });
    await ctx.db.patch(target._id, { balance: target.balance + amount });
    const counter = await ctx.db
      .query('clients')
      .withIndex('by_client', (q) => q.eq('client', client))
      .unique();
    if (counter) await ctx.db.patch(counter._id, { count: counter.count + 1 });
    else await ctx.db.insert('clients', { client, count: 1 });
  },
});

/** Every balance and every client's transfer count, at one snapshot. */
export const state = queryGeneric(async (ctx) => ({
  balances: Object.fromEntries(
    (await ctx.db.query('accounts').collect()).map((a) => [a.name, a.balance]),
  ),
  counts: Object.fromEntries(
    (await ctx.db.query('clients').collect()).map((c) => [c.client, c.count]),
  ),
}));
