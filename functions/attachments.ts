import { v } from 'convex/values';
import { api } from './_generated/api.js';
import type { Id } from './_generated/dataModel.js';
import { action } from './_generated/server.js';

/**
 * Stores a file and sends it as a message in one call, for clients that
 * would rather not upload to a URL first. The message is sent as the caller,
 * so signed out it is refused, and the file is deleted again.
 */
export const send = action({
  args: {
    roomId: v.id('rooms'),
    body: v.string(),
    data: v.bytes(),
    contentType: v.string(),
  },
  handler: async (
    ctx,
    { roomId, body, data, contentType },
  ): Promise<Id<'messages'>> => {
    const attachmentId = await ctx.storage.store(
      new Blob([data], { type: contentType }),
    );
    try {
      return await ctx.runMutation(api.messages.send, {
        roomId,
        body,
        attachmentId,
      });
    } catch (error) {
      await ctx.storage.delete(attachmentId);
      throw error;
    }
  },
});
