/**
 * The front door: uWebSockets.js owning the main port, as a Convex
 * deployment's port 3210 serves everything (DESIGN.md decision 4):
 *
 * - `GET /version`, the meta route every backend service has, answered here;
 * - the sync socket, `/api/<version>/sync` and `/api/sync` (sync-route.ts);
 * - mounts: Fetch API handlers under a path prefix (HTTP actions under
 *   `/http/`, stored files under `/api/storage/`), their bodies streamed
 *   both ways (fetch-bridge.ts);
 * - everything else: the HTTP API, a handler of whole requests behind the
 *   HTTP bridge (http-bridge.ts); without one, a JSON 404.
 */
import type { SyncServer } from '../sync/sync-server.ts';
import { fetchRoute } from './fetch-bridge.ts';
import { type RequestHandler, httpBridge } from './http-bridge.ts';
import { listen } from './listen.ts';
import { SYNC_PATHS, syncBehavior } from './sync-route.ts';
import { uws } from './uws.ts';

export interface FrontDoorOptions {
  host: string;
  /** 0 lets the system choose; `FrontDoor.port` tells which. */
  port: number;
  /** The server version `GET /version` reports. */
  version: string;
  /** The sync worker behind `/api/<version>/sync`; without it the path is a 404. */
  sync?: SyncServer;
  /** The HTTP API: every request no other route takes. */
  http?: { handle: RequestHandler; maxBodyBytes: (path: string) => number };
  /** Fetch API handlers, each for the paths under its prefix (`/http/`). */
  mounts?: readonly Mount[];
  /** Where a handler's bug is reported. */
  onError?: (error: unknown) => void;
}

export interface Mount {
  /** Ends in `/`: `/http/` takes `/http/` and everything below it. */
  prefix: string;
  handle: (request: Request) => Promise<Response>;
}

export interface FrontDoor extends AsyncDisposable {
  port: number;
  close(): void;
}

export async function startFrontDoor(
  options: FrontDoorOptions,
): Promise<FrontDoor> {
  const onError = options.onError ?? (() => {});
  const app = uws.App();
  if (options.sync) {
    const behavior = syncBehavior(options.sync);
    for (const path of SYNC_PATHS) app.ws(path, behavior);
  }
  app.get('/version', (res) => {
    res.cork(() => {
      res
        .writeStatus('200 OK')
        .writeHeader('content-type', 'text/plain; charset=utf-8')
        .end(options.version);
    });
  });
  for (const mount of options.mounts ?? [])
    app.any(
      `${mount.prefix}*`,
      fetchRoute(mount.handle, {
        defaultHost: `${options.host}:${options.port}`,
        onError,
      }),
    );
  app.any(
    '/*',
    options.http
      ? httpBridge(options.http.handle, {
          maxBodyBytes: options.http.maxBodyBytes,
          onError,
        })
      : (res, req) => {
          const body = JSON.stringify({
            code: 'NotFound',
            message: `${req.getMethod().toUpperCase()} ${req.getUrl()} is not a route of this deployment`,
          });
          res.cork(() => {
            res
              .writeStatus('404 Not Found')
              .writeHeader('content-type', 'application/json')
              .end(body);
          });
        },
  );

  const listening = await listen(app, options.host, options.port);
  return {
    port: listening.port,
    close: () => listening.close(),
    [Symbol.asyncDispose]() {
      listening.close();
      return Promise.resolve();
    },
  };
}
