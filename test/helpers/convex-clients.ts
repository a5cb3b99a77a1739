/**
 * Official `ConvexClient`s for one test, all closed when the test ends
 * (`await using`), pass or fail, so no socket or timer outlives it.
 */
import { ConvexClient, type ConvexClientOptions } from 'convex/browser';

export interface ConvexClients extends AsyncDisposable {
  /** A new client of the deployment; quiet unless `options` say otherwise. */
  open(options?: ConvexClientOptions): ConvexClient;
}

export function convexClients(url: string): ConvexClients {
  const opened: ConvexClient[] = [];
  return {
    open(options = {}) {
      const client = new ConvexClient(url, { logger: false, ...options });
      opened.push(client);
      return client;
    },
    async [Symbol.asyncDispose]() {
      await Promise.all(opened.map((client) => client.close()));
    },
  };
}
