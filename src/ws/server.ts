/**
 * The front door: uWebSockets.js owning the main port.
 *
 * It answers the meta routes a deployment always has, `GET /version` and a
 * health check that says which uWebSockets.js transport is loaded, and
 * upgrades the sync socket (sync-route.ts); everything else is a JSON 404
 * until the HTTP API is wired in behind it.
 */
import type { HttpResponse, us_listen_socket } from 'uWebSockets.js';
import type { SyncServer } from '../sync/sync-server.ts';
import { SYNC_PATHS, syncBehavior } from './sync-route.ts';
import { uws, uwsTransport } from './uws.ts';

export interface FrontDoorOptions {
  host: string;
  /** 0 lets the system choose; `FrontDoor.port` tells which. */
  port: number;
  /** The server version `GET /version` reports. */
  version: string;
  /** The sync worker behind `/api/<version>/sync`; without it the path is a 404. */
  sync?: SyncServer;
}

export interface FrontDoor extends AsyncDisposable {
  port: number;
  close(): void;
}

export async function startFrontDoor(
  options: FrontDoorOptions,
): Promise<FrontDoor> {
  const app = uws.App();
  if (options.sync) {
    const behavior = syncBehavior(options.sync);
    for (const path of SYNC_PATHS) app.ws(path, behavior);
  }
  app
    .get('/version', (res) => {
      reply(res, '200 OK', 'text/plain; charset=utf-8', options.version);
    })
    .get('/health', (res) => {
      reply(
        res,
        '200 OK',
        'application/json',
        JSON.stringify({ status: 'ok', transport: uwsTransport }),
      );
    })
    .any('/*', (res, req) => {
      const body = JSON.stringify({
        code: 'NotFound',
        message: `${req.getMethod().toUpperCase()} ${req.getUrl()} is not served yet`,
      });
      reply(res, '404 Not Found', 'application/json', body);
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
  const close = (): void => {
    if (!open) return;
    open = false;
    uws.us_listen_socket_close(listenSocket);
  };
  return {
    port: uws.us_socket_local_port(listenSocket),
    close,
    [Symbol.asyncDispose]() {
      close();
      return Promise.resolve();
    },
  };
}

function reply(
  res: HttpResponse,
  status: string,
  contentType: string,
  body: string,
): void {
  res.cork(() => {
    res.writeStatus(status).writeHeader('content-type', contentType).end(body);
  });
}
