/**
 * The official client as the workloads use it: `ConvexClient`s over `ws`
 * (metered when a frame meter is given), closed together, opened in
 * batches each watching a query, and a watch on one subscription that
 * resolves when its value passes a test.
 */
import { ConvexClient } from 'convex/browser';
import type { FunctionReference } from 'convex/server';
import WebSocket from 'ws';
import type { FrameMeter } from './frame-meter.ts';
import { OPERATION_LIMIT_MS, within } from './within.ts';

export function openClient(url: string, meter?: FrameMeter): ConvexClient {
  return new ConvexClient(url, {
    logger: false,
    webSocketConstructor:
      meter?.webSocketConstructor ??
      (WebSocket as unknown as FrameMeter['webSocketConstructor']),
  });
}

export async function closeClients(
  clients: readonly ConvexClient[],
): Promise<void> {
  await Promise.all(clients.map((client) => client.close()));
}

export interface Watch<T> {
  /** Resolves once the subscription's latest value passes `until` (at once if it already does). */
  next(until: (value: T) => boolean): Promise<void>;
  latest(): T | undefined;
  stop(): void;
}

export function watch<Args extends Record<string, unknown>, T>(
  client: ConvexClient,
  query: FunctionReference<'query', 'public', Args, T>,
  args: Args,
): Watch<T> {
  let seen = false;
  let value: T | undefined;
  let waiter: { until: (value: T) => boolean; resolve: () => void } | null =
    null;
  const unsubscribe = client.onUpdate(query, args, (next: T) => {
    seen = true;
    value = next;
    if (waiter?.until(next)) {
      const { resolve } = waiter;
      waiter = null;
      resolve();
    }
  });
  return {
    next: (until) =>
      seen && until(value as T)
        ? Promise.resolve()
        : new Promise((resolve) => {
            waiter = { until, resolve };
          }),
    latest: () => value,
    stop: () => unsubscribe(),
  };
}

/**
 * `count` new clients, each watching one query, opened `batch` at a time
 * (each batch subscribed before the next connects, so the listener never
 * sees thousands of connections at once). Every client opened is in
 * `clients`, for the caller to close, even if a watch fails.
 */
export async function openWatchers<Args extends Record<string, unknown>, T>(
  count: number,
  open: () => ConvexClient,
  query: FunctionReference<'query', 'public', Args, T>,
  argsOf: (index: number) => Args,
  clients: ConvexClient[],
  batch = 200,
): Promise<Watch<T>[]> {
  const watches: Watch<T>[] = [];
  for (let i = 0; i < count; i += batch) {
    const slice = Array.from({ length: Math.min(batch, count - i) }, (_, j) => {
      const client = open();
      clients.push(client);
      return watch(client, query, argsOf(i + j));
    });
    await within(
      Promise.all(slice.map((w) => w.next(() => true))),
      OPERATION_LIMIT_MS,
      `subscribers ${i} to ${i + slice.length}`,
    );
    watches.push(...slice);
  }
  return watches;
}
