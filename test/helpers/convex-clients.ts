/**
 * Official `ConvexClient`s for one test, all closed when the test ends
 * (`await using`), pass or fail, so no socket or timer outlives it. Given
 * several deployment URLs (processes sharing one store), each new client
 * opens on the next in turn.
 */
import { ConvexClient, type ConvexClientOptions } from 'convex/browser';

export interface ConvexClients extends AsyncDisposable {
  /** A new client of the deployment; quiet unless `options` say otherwise. */
  open(options?: ConvexClientOptions): ConvexClient;
}

export function convexClients(urls: string | readonly string[]): ConvexClients {
  const all = typeof urls === 'string' ? [urls] : urls;
  const opened: ConvexClient[] = [];
  return {
    open(options = {}) {
      const url = all[opened.length % all.length] ?? '';
      const client = new ConvexClient(url, { logger: false, ...options });
      opened.push(client);
      return client;
    },
    async [Symbol.asyncDispose]() {
      await Promise.all(opened.map((client) => client.close()));
    },
  };
}
