import { httpActionGeneric, httpRouter } from 'convex/server';
import { hostReach, runEscapes } from './lib/escapes.ts';

// The escape attempts from an HTTP action, plus the Request it is handed.
const http = httpRouter();
http.route({
  path: '/escapes',
  method: 'POST',
  handler: httpActionGeneric(async (_ctx, request) => {
    const results = await runEscapes({
      'the Request': async () => hostReach(request),
      'the Request headers': async () => hostReach(request.headers),
      'the Request body': async () => hostReach(await request.arrayBuffer()),
    });
    return new Response(JSON.stringify(results), {
      headers: { 'content-type': 'application/json' },
    });
  }),
});
export default http;
