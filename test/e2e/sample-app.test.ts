/**
 * The sample app in functions/, which `npm start` serves, works with the
 * official client: its generated `api` names its functions, a message sent
 * reaches a subscriber of its channel, and an empty one is refused.
 */
import { ConvexClient } from 'convex/browser';
import { expect, test } from 'vitest';
import { api } from '../../functions/_generated/api.js';
import { startTestServer } from '../helpers/converge-server.ts';

test('the sample chat delivers a message to a subscriber of its channel', async () => {
  await using server = await startTestServer('basic', {
    functions: new URL('../../functions/', import.meta.url).pathname,
  });
  const alice = new ConvexClient(server.url);
  const bob = new ConvexClient(server.url);
  try {
    const received = new Promise<string[]>((resolve) => {
      const stop = bob.onUpdate(
        api.messages.list,
        { channel: 'general' },
        (messages) => {
          if (messages.length === 0) return;
          stop();
          resolve(messages.map((m) => `${m.author}: ${m.body}`));
        },
      );
    });
    await alice.mutation(api.messages.send, {
      channel: 'general',
      author: 'alice',
      body: 'hello bob',
    });
    expect(await received).toEqual(['alice: hello bob']);
    await expect(
      alice.mutation(api.messages.send, {
        channel: 'general',
        author: 'alice',
        body: ' ',
      }),
    ).rejects.toThrow('A message needs a body.');
  } finally {
    await alice.close();
    await bob.close();
  }
});
