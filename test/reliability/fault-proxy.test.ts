/**
 * The fault proxy itself: untouched, the official client cannot tell it is
 * there; told to cut, it cuts exactly where each kind of cut says, and the
 * client, having reconnected through it, still gets its answers.
 */
import { makeFunctionReference } from 'convex/server';
import { describe, expect, test } from 'vitest';
import { convexClients } from '../helpers/convex-clients.ts';
import { startTestServer } from '../helpers/converge-server.ts';
import { frameTap } from '../helpers/frame-tap.ts';
import { watchQuery } from '../helpers/query-watch.ts';
import {
  CUT_KINDS,
  cutFits,
  type ServerFrame,
  startFaultProxy,
} from './fault-proxy.ts';
import { append } from './ledger-writers.ts';

const bulky = makeFunctionReference<
  'query',
  { writer: string; bytes: number },
  { seqs: number[]; ballast: string }
>('entries:bulky');

/** Past the server's 5,000,000-byte limit, so its Transitions come in chunks. */
const CHUNKED_BYTES = 5_100_000;
/** Client and server need seconds to move a few 5 MB Transitions on a busy machine. */
const SETTLE_MS = 60_000;

/** What the client receives and what the proxy saw, as message types. */
function types(frames: readonly string[]): (string | undefined)[] {
  return frames.map((frame) => (JSON.parse(frame) as { type?: string }).type);
}

describe('the fault proxy', () => {
  test('is invisible while it cuts nothing', async () => {
    await using server = await startTestServer('ledger');
    const seen: ServerFrame[] = [];
    await using proxy = await startFaultProxy({
      target: () => server.port,
      decide: (frame) => {
        seen.push(frame);
        return undefined;
      },
    });
    await using clients = convexClients(proxy.url);
    const tap = frameTap();
    const client = clients.open({
      webSocketConstructor: tap.webSocketConstructor,
    });

    using rows = watchQuery(client, bulky, { writer: 'quiet', bytes: 10 });
    await rows.next();
    await client.mutation(append, { writer: 'quiet', seq: 0 });
    expect(await rows.next((value) => value.seqs.length === 1)).toEqual({
      seqs: [0],
      ballast: '.'.repeat(10),
    });

    // Every frame the server sent reached the client, in order, on one connection.
    expect(proxy.connections()).toBe(1);
    expect(seen.map((frame) => frame.type)).toEqual(types(tap.received));
    expect(Object.values(proxy.cuts)).toEqual([0, 0, 0, 0]);
  });

  for (const kind of CUT_KINDS) {
    test(`cuts ${kind} and the client recovers through it`, async () => {
      await using server = await startTestServer('ledger');
      const seen: { frame: ServerFrame; cut: boolean }[] = [];
      let cut = false;
      await using proxy = await startFaultProxy({
        target: () => server.port,
        decide: (frame) => {
          const now = !cut && cutFits(kind, frame);
          cut ||= now;
          seen.push({ frame, cut: now });
          return now ? kind : undefined;
        },
      });
      await using clients = convexClients(proxy.url);
      const tap = frameTap();
      const client = clients.open({
        webSocketConstructor: tap.webSocketConstructor,
      });

      const bytes = kind === 'mid-chunked-transition' ? CHUNKED_BYTES : 10;
      using rows = watchQuery(client, bulky, { writer: kind, bytes });
      await rows.next(undefined, SETTLE_MS);
      const id = await client.mutation(append, { writer: kind, seq: 0 });
      const final = await rows.next(
        (value) => value.seqs.length > 0,
        SETTLE_MS,
      );

      // One cut, of this kind, and the client came back on a new connection
      // and saw its one row.
      expect(final.seqs).toEqual([0]);
      expect(typeof id).toBe('string');
      expect(proxy.cuts).toEqual({
        ...Object.fromEntries(CUT_KINDS.map((k) => [k, 0])),
        [kind]: 1,
      } satisfies Record<string, number>);
      expect(proxy.connections()).toBeGreaterThanOrEqual(2);

      // The client received every frame the proxy let through whole; a frame
      // cut in half never reached it as a message.
      const cutAt = seen.findIndex((entry) => entry.cut);
      const delivered = seen
        .filter(
          (entry, i) =>
            !entry.cut ||
            (i === cutAt &&
              (kind === 'mid-chunked-transition' ||
                kind === 'after-mutation-response')),
        )
        .map((entry) => entry.frame.type);
      expect(types(tap.received)).toEqual(delivered);
      // Nothing more of the cut connection reached the client.
      const cutConnection = seen[cutAt]?.frame.connection;
      expect(
        seen
          .slice(cutAt + 1)
          .every((entry) => entry.frame.connection !== cutConnection),
      ).toBe(true);
    });
  }
});
