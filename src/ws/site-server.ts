/**
 * The site port (3211 by default): the app's HTTP actions, as
 * `<deployment>.convex.site` serves them on Convex. Every request goes to
 * one handler as a Fetch `Request`, and its `Response` streams back
 * (fetch-bridge.ts).
 */
import type { us_listen_socket } from 'uWebSockets.js';
import { requestFrom, writeResponse } from './fetch-bridge.ts';
import { uws } from './uws.ts';

export interface SiteServer {
  port: number;
  close(): void;
}

export async function startSiteServer(options: {
  host: string;
  port: number;
  handle(request: Request): Promise<Response>;
}): Promise<SiteServer> {
  const app = uws.App().any('/*', (res, req) => {
    const controller = new AbortController();
    res.onAborted(() => controller.abort());
    const request = requestFrom(res, req, {
      origin: `http://${req.getHeader('host') || `${options.host}:${options.port}`}`,
      aborted: controller.signal,
    });
    options
      .handle(request)
      .then((response) => writeResponse(res, response, controller.signal))
      .catch((error: unknown) => {
        if (controller.signal.aborted) return;
        res.cork(() => {
          res
            .writeStatus('500 Internal Server Error')
            .writeHeader('content-type', 'application/json')
            .end(
              JSON.stringify({
                code: 'InternalServerError',
                message: error instanceof Error ? error.message : String(error),
              }),
            );
        });
      });
  });
  const listenSocket = await new Promise<us_listen_socket>(
    (resolve, reject) => {
      app.listen(options.host, options.port, (socket) => {
        if (socket) resolve(socket);
        else
          reject(new Error(`cannot listen on ${options.host}:${options.port}`));
      });
    },
  );
  let open = true;
  return {
    port: uws.us_socket_local_port(listenSocket),
    close: () => {
      if (!open) return;
      open = false;
      uws.us_listen_socket_close(listenSocket);
    },
  };
}
