import {
  httpActionGeneric,
  httpRouter,
  makeFunctionReference,
} from 'convex/server';

const send = makeFunctionReference<'mutation'>('messages:send');
const list = makeFunctionReference<'query'>('messages:list');

const http = httpRouter();

http.route({
  path: '/hello',
  method: 'GET',
  handler: httpActionGeneric(async (_ctx, request) => {
    const name = new URL(request.url).searchParams.get('name') ?? 'world';
    console.log('greeting', name);
    return new Response(`hello ${name}`, {
      headers: { 'content-type': 'text/plain' },
    });
  }),
});

http.route({
  path: '/messages',
  method: 'POST',
  handler: httpActionGeneric(async (ctx, request) => {
    const { channel, body } = (await request.json()) as {
      channel: string;
      body: string;
    };
    const id: string = await ctx.runMutation(send, { channel, body });
    const messages: unknown[] = await ctx.runQuery(list, { channel });
    return Response.json({ id, count: messages.length }, { status: 201 });
  }),
});

http.route({
  pathPrefix: '/files/',
  method: 'POST',
  handler: httpActionGeneric(async (ctx, request) => {
    const id = await ctx.storage.store(await request.blob());
    return Response.json({ id, url: await ctx.storage.getUrl(id) });
  }),
});

http.route({
  path: '/whoami',
  method: 'GET',
  handler: httpActionGeneric(async (ctx) =>
    Response.json(await ctx.auth.getUserIdentity()),
  ),
});

http.route({
  path: '/fails',
  method: 'GET',
  handler: httpActionGeneric(async () => {
    throw new Error('the handler broke');
  }),
});

http.route({
  path: '/stream',
  method: 'GET',
  handler: httpActionGeneric(async () => {
    const encoder = new TextEncoder();
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        sent += 1;
        controller.enqueue(encoder.encode(`chunk ${sent}\n`));
        if (sent === 3) controller.close();
      },
    });
    return new Response(body, { headers: { 'content-type': 'text/plain' } });
  }),
});

export default http;
