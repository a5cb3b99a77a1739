/**
 * The site port (3211 by default): the app's HTTP actions, as
 * `<deployment>.convex.site` serves them on Convex. Every request goes to
 * one handler as a Fetch `Request`, and its `Response` streams back
 * (fetch-bridge.ts).
 */
import { type FetchHandler, fetchRoute } from './fetch-bridge.ts';
import { type Listening, listen } from './listen.ts';
import { uws } from './uws.ts';

export type SiteServer = Listening;

export async function startSiteServer(options: {
  host: string;
  port: number;
  handle: FetchHandler;
  onError: (error: unknown) => void;
}): Promise<SiteServer> {
  const app = uws.App().any(
    '/*',
    fetchRoute(options.handle, {
      defaultHost: `${options.host}:${options.port}`,
      onError: options.onError,
    }),
  );
  return listen(app, options.host, options.port);
}
