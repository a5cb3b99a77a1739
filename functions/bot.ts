import { ConvexError, v } from 'convex/values';
import { internal } from './_generated/api.js';
import type { Doc } from './_generated/dataModel.js';
import { action } from './_generated/server.js';

/** How far back `/summarize` reads. */
const READ_LIMIT = 100;
/** Words too common to say what a room is about. */
const STOP_WORDS = new Set(
  'a an and are but for from has have how i in is it its not of on or so that the this to was we what with you'.split(
    ' ',
  ),
);

/**
 * `/summarize`: reads the room's recent messages and has the bot post who
 * talked and about what. It needs no network: the summary is counted here.
 */
export const summarize = action({
  args: { roomId: v.id('rooms') },
  handler: async (ctx, { roomId }): Promise<string> => {
    if ((await ctx.auth.getUserIdentity()) === null) {
      throw new ConvexError('Sign in to summarize a room.');
    }
    const messages = await ctx.runQuery(internal.messages.recent, {
      roomId,
      limit: READ_LIMIT,
    });
    const body = summaryOf(messages.filter((m) => m.userId !== undefined));
    await ctx.runMutation(internal.messages.postAsBot, { roomId, body });
    return body;
  },
});

function summaryOf(messages: readonly Doc<'messages'>[]): string {
  if (messages.length === 0) return 'Nothing to summarize yet.';
  const authors = [...new Set(messages.map((m) => m.author))].sort();
  const counts = new Map<string, number>();
  for (const { body } of messages) {
    for (const word of body.toLowerCase().match(/[\p{L}\p{N}']+/gu) ?? []) {
      if (word.length < 3 || STOP_WORDS.has(word)) continue;
      counts.set(word, (counts.get(word) ?? 0) + 1);
    }
  }
  const topics = [...counts]
    .sort(([a, m], [b, n]) => n - m || a.localeCompare(b))
    .slice(0, 3)
    .map(([word]) => word);
  const said = `${messages.length} message${messages.length === 1 ? '' : 's'} from ${authors.join(', ')}`;
  return topics.length === 0
    ? `${said}.`
    : `${said}, about ${topics.join(', ')}.`;
}
