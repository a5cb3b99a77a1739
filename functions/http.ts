import { httpRouter } from 'convex/server';
import { ConvexError } from 'convex/values';
import { api } from './_generated/api.js';
import { httpAction } from './_generated/server.js';

const LATEST_COUNT = 50;

/** The room name of `/rooms/<name>/<leaf>`, or null for any other path. */
function roomName(request: Request, leaf: string): string | null {
  const [, name, rest] =
    /^\/rooms\/([^/]+)\/([^/]+)$/.exec(new URL(request.url).pathname) ?? [];
  return name === undefined || rest !== leaf ? null : decodeURIComponent(name);
}

const notFound = () => Response.json({ error: 'Not found.' }, { status: 404 });

const http = httpRouter();

/** `GET /rooms/<name>/messages.json`: the room's latest messages, newest first. */
http.route({
  pathPrefix: '/rooms/',
  method: 'GET',
  handler: httpAction(async (ctx, request) => {
    const name = roomName(request, 'messages.json');
    const room = name && (await ctx.runQuery(api.rooms.get, { name }));
    if (!room) return notFound();
    const { page } = await ctx.runQuery(api.messages.list, {
      roomId: room._id,
      paginationOpts: { numItems: LATEST_COUNT, cursor: null },
    });
    return Response.json(
      page.map(({ _creationTime, author, body, attachment }) => ({
        sentAt: new Date(_creationTime).toISOString(),
        author,
        body,
        attachmentUrl: attachment?.url ?? null,
      })),
    );
  }),
});

/**
 * `POST /rooms/<name>/messages` with `{"body": "…"}`: a webhook that posts
 * as the user of its `Authorization: Bearer <JWT>`.
 */
http.route({
  pathPrefix: '/rooms/',
  method: 'POST',
  handler: httpAction(async (ctx, request) => {
    const name = roomName(request, 'messages');
    const room = name && (await ctx.runQuery(api.rooms.get, { name }));
    if (!room) return notFound();
    if ((await ctx.auth.getUserIdentity()) === null) {
      return Response.json(
        { error: 'Send a bearer token to post.' },
        { status: 401 },
      );
    }
    const posted: unknown = await request.json().catch(() => null);
    const body =
      typeof posted === 'object' && posted !== null && 'body' in posted
        ? posted.body
        : undefined;
    if (typeof body !== 'string') {
      return Response.json(
        { error: 'Post a JSON object with a string "body".' },
        { status: 400 },
      );
    }
    try {
      const id = await ctx.runMutation(api.messages.send, {
        roomId: room._id,
        body,
      });
      return Response.json({ id }, { status: 201 });
    } catch (error) {
      if (error instanceof ConvexError) {
        const reason: unknown = error.data;
        return Response.json({ error: reason }, { status: 400 });
      }
      throw error;
    }
  }),
});

export default http;
