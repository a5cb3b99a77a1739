/**
 * The official client against a real Converge server: subscriptions,
 * mutations with read-your-writes, actions, errors.
 */
import { ConvexClient } from 'convex/browser';
import { makeFunctionReference } from 'convex/server';
import { describe, expect, test } from 'vitest';
import { startTestServer } from '../helpers/converge-server.ts';

interface Message {
  _id: string;
  channel: string;
  body: string;
}
const list = makeFunctionReference<'query', { channel: string }, Message[]>(
  'messages:list',
);
const send = makeFunctionReference<
  'mutation',
  { channel: string; body: string },
  string
>('messages:send');

/** Resolves with the first value `onUpdate` delivers that passes `check`. */
function nextUpdate(
  client: ConvexClient,
  query: typeof list,
  args: { channel: string },
  check: (value: Message[]) => boolean,
): Promise<Message[]> {
  return new Promise((resolve, reject) => {
    const unsubscribe = client.onUpdate(
      query,
      args,
      (value) => {
        if (!check(value)) return;
        unsubscribe();
        resolve(value);
      },
      reject,
    );
  });
}

describe('the official ConvexClient on a Converge server', () => {
  test('a subscriber sees a mutation, and the mutation resolves with read-your-writes', async () => {
    await using server = await startTestServer('basic');
    const watcher = new ConvexClient(server.url);
    const writer = new ConvexClient(server.url);
    try {
      const empty = await nextUpdate(
        watcher,
        list,
        { channel: 'general' },
        () => true,
      );
      expect(empty).toEqual([]);
      const seen = nextUpdate(
        watcher,
        list,
        { channel: 'general' },
        (messages) => messages.length === 1,
      );
      const id = await writer.mutation(send, {
        channel: 'general',
        body: 'hello',
      });
      expect(typeof id).toBe('string');
      // Read-your-writes: once the mutation resolved, the writer's own query sees it.
      expect(await writer.query(list, { channel: 'general' })).toMatchObject([
        { _id: id, body: 'hello' },
      ]);
      expect(await seen).toMatchObject([{ _id: id, body: 'hello' }]);
    } finally {
      await watcher.close();
      await writer.close();
    }
  });
});
