/**
 * Bank accounts for W10: a transfer reads two accounts by index, debits one
 * and credits the other in one transaction. `snapshot` totals every
 * balance at one timestamp, so the bench can check that no transfer made
 * or lost money.
 */
import {
  type DataModelFromSchemaDefinition,
  type MutationBuilder,
  type QueryBuilder,
  mutationGeneric,
  queryGeneric,
} from 'convex/server';
import { v } from 'convex/values';
import type schema from './schema.ts';

type DataModel = DataModelFromSchemaDefinition<typeof schema>;
const query: QueryBuilder<DataModel, 'public'> = queryGeneric;
const mutation: MutationBuilder<DataModel, 'public'> = mutationGeneric;

/** Opens `account-<from>` … `account-<from + count - 1>`, each holding `balance`. */
export const seed = mutation({
  args: { from: v.number(), count: v.number(), balance: v.number() },
  handler: async (ctx, { from, count, balance }) => {
    for (let n = from; n < from + count; n++)
      await ctx.db.insert('accounts', { name: `account-${n}`, balance });
  },
});

export const transfer = mutation({
  args: { from: v.string(), to: v.string(), amount: v.number() },
  handler: async (ctx, { from, to, amount }) => {
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
  },
});

export const snapshot = query({
  args: {},
  handler: async (ctx) => {
    let accounts = 0;
    let total = 0;
    for await (const account of ctx.db.query('accounts')) {
      accounts += 1;
      total += account.balance;
    }
    return { accounts, total };
  },
});
