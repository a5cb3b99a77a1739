/**
 * The official client as the workloads use it: `ConvexClient`s over `ws`
 * (metered when a frame meter is given), opened in batches, closed
 * together, and a watch on one subscription that resolves when its value
 * passes a test.
 */
import { ConvexClient } from 'convex/browser';
import type { FunctionReference } from 'convex/server';
import WebSocket from 'ws';
import type { FrameMeter } from './frame-meter.ts';

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

/** `count` watches, `batch` clients at a time, resolved once each has its first value. */
export async function watchMany<Args extends Record<string, unknown>, T>(
  clients: readonly ConvexClient[],
  query: FunctionReference<'query', 'public', Args, T>,
  argsOf: (index: number) => Args,
  batch = 200,
): Promise<Watch<T>[]> {
  const watches: Watch<T>[] = [];
  for (let i = 0; i < clients.length; i += batch) {
    const slice = clients
      .slice(i, i + batch)
      .map((client, j) => watch(client, query, argsOf(i + j)));
    await Promise.all(slice.map((w) => w.next(() => true)));
    watches.push(...slice);
  }
  return watches;
}
