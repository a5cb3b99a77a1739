/**
 * Many subscribers through the official client against a Converge server:
 * the same query watched from several clients, a subscriber that leaves, and
 * one client whose two queries a single write changes. Where the question
 * is what the server sent, a frame tap reads the client's socket.
 */
import { describe, expect, test } from 'vitest';
import { convexClients } from '../helpers/convex-clients.ts';
import { startTestServer } from '../helpers/converge-server.ts';
import { frameTap } from '../helpers/frame-tap.ts';
import { watchQuery } from '../helpers/query-watch.ts';
import { type Note, add, count, list } from '../helpers/notes-api.ts';

interface WireModification {
  type: string;
  queryId: number;
}
interface WireTransition {
  type: 'Transition';
  modifications: WireModification[];
}

/** The Transitions among the frames a tap saw, decoded. */
function transitionsIn(frames: string[]): WireTransition[] {
  return frames
    .map((frame) => JSON.parse(frame) as { type: string })
    .filter(
      (message): message is WireTransition => message.type === 'Transition',
    );
}

const texts = (notes: Note[]): string[] => notes.map((note) => note.text);

describe('subscribers through the official client', () => {
  test('every client watching a query gets every update, from one shared query on the server', async () => {
    await using server = await startTestServer('e2e');
    await using clients = convexClients(server.url);
    const writer = clients.open();
    const watches = [clients.open(), clients.open(), clients.open()].map(
      (client) => watchQuery(client, list, { list: 'shared' }),
    );
    for (const watch of watches) expect(await watch.next()).toEqual([]);
    // Three sessions, one query: the server keeps it once.
    expect(server.sync.distinctQueries).toBe(1);

    await writer.mutation(add, { list: 'shared', text: 'one' });
    for (const watch of watches)
      await watch.next((notes) => notes.length === 1);
    await writer.mutation(add, { list: 'shared', text: 'two' });
    for (const watch of watches)
      await watch.next((notes) => notes.length === 2);

    for (const watch of watches)
      expect(watch.values.map(texts)).toEqual([[], ['one'], ['one', 'two']]);
  });

  test('a client that unsubscribes is sent no more updates', async () => {
    await using server = await startTestServer('e2e');
    await using clients = convexClients(server.url);
    const tap = frameTap();
    const leaver = clients.open({
      webSocketConstructor: tap.webSocketConstructor,
    });
    const stayer = clients.open();
    const writer = clients.open();

    const leaving = watchQuery(leaver, list, { list: 'leave' });
    using staying = watchQuery(stayer, list, { list: 'leave' });
    expect(await leaving.next()).toEqual([]);
    expect(await staying.next()).toEqual([]);

    // The leaver unsubscribes; the server confirms with QueryRemoved.
    leaving.unsubscribe();
    await expect
      .poll(() =>
        transitionsIn(tap.received).some((transition) =>
          transition.modifications.some((m) => m.type === 'QueryRemoved'),
        ),
      )
      .toBe(true);
    const framesBefore = tap.received.length;

    // A write the stayer sees reaches the leaver's socket as nothing at all,
    // not even by the time a later mutation of the leaver's own resolves.
    await writer.mutation(add, { list: 'leave', text: 'after' });
    expect(texts(await staying.next((notes) => notes.length === 1))).toEqual([
      'after',
    ]);
    await leaver.mutation(add, { list: 'elsewhere', text: 'later' });
    const later = transitionsIn(tap.received.slice(framesBefore));
    expect(later.flatMap((transition) => transition.modifications)).toEqual([]);
    expect(leaving.values).toEqual([[]]);

    // Once the stayer leaves too, the server forgets the query.
    staying.unsubscribe();
    await expect.poll(() => server.sync.distinctQueries).toBe(0);
  });

  test('two queries of one client changed by one write arrive in one Transition', async () => {
    await using server = await startTestServer('e2e');
    await using clients = convexClients(server.url);
    const tap = frameTap();
    const reader = clients.open({
      webSocketConstructor: tap.webSocketConstructor,
    });
    const writer = clients.open();

    // Each callback checks the other query's local result: the two must never disagree.
    const disagreements: string[] = [];
    const check = (): void => {
      const notes = reader.client.localQueryResult('notes:list', {
        list: 'pair',
      }) as Note[] | undefined;
      const total = reader.client.localQueryResult('notes:count', {
        list: 'pair',
      }) as number | undefined;
      if (notes !== undefined && total !== undefined && notes.length !== total)
        disagreements.push(`${notes.length} notes but a count of ${total}`);
    };
    using notes = watchQuery(reader, list, { list: 'pair' });
    using total = watchQuery(reader, count, { list: 'pair' });
    reader.onUpdate(list, { list: 'pair' }, check);
    reader.onUpdate(count, { list: 'pair' }, check);
    await notes.next();
    await total.next();
    const framesBefore = tap.received.length;

    for (const [index, text] of ['x', 'y', 'z'].entries()) {
      await writer.mutation(add, { list: 'pair', text });
      await total.next((value) => value === index + 1);
      await notes.next((value) => value.length === index + 1);
    }

    expect(disagreements).toEqual([]);
    // Every Transition that changed one of them changed both.
    const changes = transitionsIn(tap.received.slice(framesBefore))
      .map((transition) => transition.modifications.map((m) => m.type))
      .filter((types) => types.length > 0);
    expect(changes.length).toBeGreaterThanOrEqual(1);
    for (const types of changes)
      expect(types).toEqual(['QueryUpdated', 'QueryUpdated']);
  });
});
