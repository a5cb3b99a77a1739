/**
 * A Converge server restarting under the official client: the server is
 * closed and a new one started on the same port over the same data while a
 * client is subscribed and its mutations are in flight. The client must
 * reconnect on its own, resubscribe, see current results, and have each
 * mutation applied exactly once, including one the first server applied
 * but whose answer never reached the client.
 */
import { describe, expect, test } from 'vitest';
import { convexClients } from '../helpers/convex-clients.ts';
import {
  startTestServer,
  temporaryDataDir,
} from '../helpers/converge-server.ts';
import { frameTap } from '../helpers/frame-tap.ts';
import { watchQuery } from '../helpers/query-watch.ts';
import { type Note, add, list } from '../helpers/notes-api.ts';

describe('the official client across a server restart', () => {
  test('reconnects, resubscribes, and applies in-flight mutations exactly once', async () => {
    await using data = temporaryDataDir();
    await using first = await startTestServer('e2e', { data: data.path });
    await using clients = convexClients(first.url);
    const tap = frameTap();
    const writer = clients.open({
      webSocketConstructor: tap.webSocketConstructor,
    });
    const watcher = clients.open();

    using written = watchQuery(writer, list, { list: 'restart' });
    using watched = watchQuery(watcher, list, { list: 'restart' });
    expect(await written.next()).toEqual([]);
    expect(await watched.next()).toEqual([]);

    // The writer's connection starts losing everything the server sends: the
    // first server applies its mutation (the watcher sees the row), but the
    // writer never hears back, so the mutation is still in flight for it.
    tap.deafenCurrentSocket();
    const unanswered = writer.mutation(add, { list: 'restart', text: 'once' });
    const [row] = await watched.next((notes) => notes.length === 1);

    // The server goes away. A second mutation is made while nobody listens.
    await first.close();
    const queued = writer.mutation(add, {
      list: 'restart',
      text: 'while down',
    });

    // A new server on the same port and data; the clients find it themselves.
    await using second = await startTestServer('e2e', {
      data: data.path,
      port: first.port,
    });
    expect(second.url).toBe(first.url);

    // The re-sent mutation is answered from the record of the first run: the
    // same id, no second row.
    expect(await unanswered).toBe(row?._id);
    // The writer did get both answers, the lost one and the replayed one.
    const answers = tap.received
      .map((frame) => JSON.parse(frame) as { type: string; requestId?: number })
      .filter((m) => m.type === 'MutationResponse' && m.requestId === 0);
    expect(answers).toHaveLength(2);
    expect(answers[1]).toEqual(answers[0]);

    const secondId = await queued;
    const texts = (notes: Note[]) => notes.map((note) => note.text);
    expect(texts(await written.next((notes) => notes.length === 2))).toEqual([
      'once',
      'while down',
    ]);
    expect(texts(await watched.next((notes) => notes.length === 2))).toEqual([
      'once',
      'while down',
    ]);
    expect((await watcher.query(list, { list: 'restart' }))[1]?._id).toBe(
      secondId,
    );
    // Never more than two rows, in either client's view.
    for (const notes of [...written.values, ...watched.values])
      expect(notes.length).toBeLessThanOrEqual(2);
  });
});
