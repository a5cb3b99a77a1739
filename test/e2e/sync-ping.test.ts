/**
 * The server's heartbeat as the official client receives it: a `Ping` after
 * 15 s without anything sent (convex-protocol.md §4.8), so that an idle
 * client never reaches its 60 s inactivity timeout. The server's tick and
 * clock are faked (`setInterval` and `Date` only; sockets and the client's
 * own timers stay real), so the 15 s pass in no time.
 */
import { makeFunctionReference } from 'convex/server';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { convexClients } from '../helpers/convex-clients.ts';
import { startTestServer } from '../helpers/converge-server.ts';
import { frameTap } from '../helpers/frame-tap.ts';
import { watchQuery } from '../helpers/query-watch.ts';

const count = makeFunctionReference<'query', { list: string }, number>(
  'notes:count',
);
const PING = '{"type":"Ping"}';

afterEach(() => {
  vi.useRealTimers();
});

describe('the server heartbeat', () => {
  test('an idle client gets a Ping 15 s after the last message, and not before', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'] });
    await using server = await startTestServer('e2e');
    await using clients = convexClients(server.url);
    const tap = frameTap();
    const client = clients.open({
      webSocketConstructor: tap.webSocketConstructor,
    });

    // The first Transition is the last thing the server sends for a while.
    using idle = watchQuery(client, count, { list: 'quiet' });
    expect(await idle.next()).toBe(0);
    const framesBefore = tap.received.length;
    const pings = () =>
      tap.received.slice(framesBefore).filter((frame) => frame === PING);

    // 14 s of silence: no Ping yet.
    await vi.advanceTimersByTimeAsync(14_000);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(pings()).toEqual([]);

    // At 15 s the server speaks up, once.
    await vi.advanceTimersByTimeAsync(1_000);
    await vi.waitFor(() => expect(pings()).toEqual([PING]));

    // The Ping counts as sending: the next one is 15 s later.
    await vi.advanceTimersByTimeAsync(14_000);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(pings()).toEqual([PING]);
    await vi.advanceTimersByTimeAsync(1_000);
    await vi.waitFor(() => expect(pings()).toEqual([PING, PING]));
  });
});
