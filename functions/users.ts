import type { UserIdentity } from 'convex/server';
import { ConvexError } from 'convex/values';
import type { Doc } from './_generated/dataModel.js';
import { type MutationCtx, query } from './_generated/server.js';

/** The name a user goes by: the token's `name`, else its nickname, else its subject. */
function displayName(identity: UserIdentity): string {
  return identity.name ?? identity.nickname ?? identity.subject;
}

/**
 * The signed-in caller's user, created on their first write and renamed when
 * their token's name changes. Signed out, a `ConvexError` the client can show.
 */
export async function requireUser(
  ctx: MutationCtx,
  doing: string,
): Promise<Pick<Doc<'users'>, '_id' | 'name'>> {
  const identity = await ctx.auth.getUserIdentity();
  if (identity === null) throw new ConvexError(`Sign in to ${doing}.`);
  const name = displayName(identity);
  const user = await ctx.db
    .query('users')
    .withIndex('by_token', (q) =>
      q.eq('tokenIdentifier', identity.tokenIdentifier),
    )
    .unique();
  if (user === null) {
    const { tokenIdentifier } = identity;
    return {
      _id: await ctx.db.insert('users', { tokenIdentifier, name }),
      name,
    };
  }
  if (user.name !== name) await ctx.db.patch(user._id, { name });
  return { _id: user._id, name };
}

/** The caller as stored, or null when signed out or not yet seen. */
export const me = query({
  args: {},
  handler: async (ctx) => {
    const identity = await ctx.auth.getUserIdentity();
    if (identity === null) return null;
    return await ctx.db
      .query('users')
      .withIndex('by_token', (q) =>
        q.eq('tokenIdentifier', identity.tokenIdentifier),
      )
      .unique();
  },
});
