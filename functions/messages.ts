import { paginationOptsValidator } from 'convex/server';
import { ConvexError, v } from 'convex/values';
import { internal } from './_generated/api.js';
import type { Doc } from './_generated/dataModel.js';
import {
  type QueryCtx,
  internalMutation,
  internalQuery,
  mutation,
  query,
} from './_generated/server.js';
import { requireUser } from './users.js';

const MAX_BODY_LENGTH = 2000;
/** The longest an ephemeral message may live: one day. */
const MAX_EXPIRY_MS = 24 * 60 * 60 * 1000;

/** A message as clients see it: with where to download its attachment, if any. */
async function withAttachment(ctx: QueryCtx, message: Doc<'messages'>) {
  const file =
    message.attachmentId === undefined
      ? null
      : await ctx.db.system.get(message.attachmentId);
  const url = file === null ? null : await ctx.storage.getUrl(file._id);
  return {
    ...message,
    attachment:
      file === null || url === null
        ? null
        : { url, contentType: file.contentType ?? null, size: file.size },
  };
}

/** A room's history, newest first, a page at a time (for `usePaginatedQuery`). */
export const list = query({
  args: { roomId: v.id('rooms'), paginationOpts: paginationOptsValidator },
  handler: async (ctx, { roomId, paginationOpts }) => {
    const result = await ctx.db
      .query('messages')
      .withIndex('by_room', (q) => q.eq('roomId', roomId))
      .order('desc')
      .paginate(paginationOpts);
    return {
      ...result,
      page: await Promise.all(
        result.page.map((message) => withAttachment(ctx, message)),
      ),
    };
  },
});

/** The room's messages that best match `text`, best first. */
export const search = query({
  args: { roomId: v.id('rooms'), text: v.string() },
  handler: async (ctx, { roomId, text }) => {
    const found = await ctx.db
      .query('messages')
      .withSearchIndex('search_body', (q) =>
        q.search('body', text).eq('roomId', roomId),
      )
      .take(20);
    return await Promise.all(
      found.map((message) => withAttachment(ctx, message)),
    );
  },
});

/**
 * Sends a message as the signed-in user, optionally with an attachment (a
 * storage id from `generateUploadUrl` or `attachments:send`), optionally
 * deleted by a scheduled job `expiresInMs` from now.
 */
export const send = mutation({
  args: {
    roomId: v.id('rooms'),
    body: v.string(),
    attachmentId: v.optional(v.id('_storage')),
    expiresInMs: v.optional(v.number()),
  },
  handler: async (ctx, { roomId, body, attachmentId, expiresInMs }) => {
    const user = await requireUser(ctx, 'send messages');
    const text = body.trim();
    if (text === '' && attachmentId === undefined) {
      throw new ConvexError('A message needs a body or an attachment.');
    }
    if (text.length > MAX_BODY_LENGTH) {
      throw new ConvexError(
        `A message is at most ${MAX_BODY_LENGTH} characters.`,
      );
    }
    if (
      expiresInMs !== undefined &&
      !(expiresInMs > 0 && expiresInMs <= MAX_EXPIRY_MS)
    ) {
      throw new ConvexError('A message expires within a day.');
    }
    if ((await ctx.db.get(roomId)) === null) {
      throw new ConvexError('There is no such room.');
    }
    const messageId = await ctx.db.insert('messages', {
      roomId,
      userId: user._id,
      author: user.name,
      body: text,
      ...(attachmentId === undefined ? {} : { attachmentId }),
      ...(expiresInMs === undefined
        ? {}
        : { expiresAt: Date.now() + expiresInMs }),
    });
    if (expiresInMs !== undefined) {
      await ctx.scheduler.runAfter(expiresInMs, internal.messages.expire, {
        messageId,
      });
    }
    return messageId;
  },
});

/** Where a signed-in browser uploads an attachment before sending it. */
export const generateUploadUrl = mutation({
  args: {},
  handler: async (ctx) => {
    await requireUser(ctx, 'upload files');
    return await ctx.storage.generateUploadUrl();
  },
});

/** Deletes an ephemeral message and its attachment, when its time is up. */
export const expire = internalMutation({
  args: { messageId: v.id('messages') },
  handler: async (ctx, { messageId }) => {
    const message = await ctx.db.get(messageId);
    if (message === null) return;
    if (message.attachmentId !== undefined) {
      await ctx.storage.delete(message.attachmentId);
    }
    await ctx.db.delete(messageId);
  },
});

/** The room's latest messages, oldest first, for the bot to read. */
export const recent = internalQuery({
  args: { roomId: v.id('rooms'), limit: v.number() },
  handler: async (ctx, { roomId, limit }) =>
    (
      await ctx.db
        .query('messages')
        .withIndex('by_room', (q) => q.eq('roomId', roomId))
        .order('desc')
        .take(limit)
    ).reverse(),
});

/** Posts as the bot, which no client may do directly. */
export const postAsBot = internalMutation({
  args: { roomId: v.id('rooms'), body: v.string() },
  handler: async (ctx, { roomId, body }) =>
    await ctx.db.insert('messages', { roomId, author: 'bot', body }),
});
