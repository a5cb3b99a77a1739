/**
 * The bench app's HTTP actions (W8), on the site port: `POST /echo` answers
 * the JSON body it was sent, the least an HTTP action can do, so that its
 * figure is the cost of the HTTP action path itself.
 */
import { httpActionGeneric, httpRouter } from 'convex/server';

const http = httpRouter();

http.route({
  path: '/echo',
  method: 'POST',
  handler: httpActionGeneric(async (_ctx, request) =>
    Response.json(await request.json()),
  ),
});

export default http;
