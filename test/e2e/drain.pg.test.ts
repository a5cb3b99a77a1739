/**
 * Graceful drain behind a load balancer: two `converge serve` processes on
 * one PostgreSQL database, a round-robin TCP balancer in front, and an
 * official client subscribed through it. The process the client is on gets
 * SIGTERM while the client's mutations are in flight, one of them applied
 * with its answer lost: the client lands on the other process by itself,
 * through the balancer, its subscription goes on updating, and every
 * mutation it sent is applied exactly once.
 * DATABASE_URL names the PostgreSQL server; unreachable means failing,
 * never skipping.
 */
import { ConvexHttpClient } from 'convex/browser';
import { expect, test } from 'vitest';
import { convexClients } from '../helpers/convex-clients.ts';
import {
  type ServerProcess,
  startServerProcess,
} from '../helpers/converge-process.ts';
import { frameTap } from '../helpers/frame-tap.ts';
import { freshDatabase } from '../helpers/fresh-database.ts';
import { watchQuery } from '../helpers/query-watch.ts';
import { startTcpBalancer } from '../helpers/tcp-balancer.ts';
import { add, list } from '../helpers/notes-api.ts';

/** Mutations sent together just before the drain: the victim runs some and may leave some queued. */
const BURST = 20;

/** The process whose address is `backend` (`host:port`). */
function processAt(
  backend: string,
  processes: readonly ServerProcess[],
): ServerProcess {
  const found = processes.find((p) => new URL(p.url).host === backend);
  if (!found) throw new Error(`no process at ${backend}`);
  return found;
}

test('SIGTERM to the process a client is on: the client reconnects through the balancer to the other, and loses nothing', async () => {
  await using database = await freshDatabase('converge_drain');
  await using a = await startServerProcess('e2e', {
    databaseUrl: database.url,
  });
  await using b = await startServerProcess('e2e', {
    databaseUrl: database.url,
  });
  await using balancer = await startTcpBalancer([a.url, b.url]);
  await using clients = convexClients(balancer.url);
  const tap = frameTap();
  const writer = clients.open({
    webSocketConstructor: tap.webSocketConstructor,
  });

  using written = watchQuery(writer, list, { list: 'drain' });
  expect(await written.next()).toEqual([]);
  await writer.mutation(add, { list: 'drain', text: 'before' });

  // The writer's one WebSocket is the only connection the balancer has made.
  const [[onBackend, count]] = [...balancer.accepted()] as [[string, number]];
  expect(count).toBe(1);
  const victim = processAt(onBackend, [a, b]);
  const survivor = victim === a ? b : a;
  await using direct = convexClients(survivor.url);
  using watched = watchQuery(direct.open(), list, { list: 'drain' });
  expect(await watched.next((n) => n.length === 1)).toMatchObject([
    { text: 'before' },
  ]);

  // From here the writer hears nothing from the victim: the victim applies
  // a mutation (the watcher on the survivor sees its row), but its answer
  // never arrives, so for the writer it is still in flight; a burst follows,
  // which the victim runs or still has queued when it stops.
  tap.deafenCurrentSocket();
  const unanswered = writer.mutation(add, { list: 'drain', text: 'once' });
  const seenOnce = await watched.next((n) => n.length === 2);
  const burst = Array.from({ length: BURST }, (_, i) =>
    writer.mutation(add, { list: 'drain', text: `burst ${i}` }),
  );

  const stopped = victim.stop('SIGTERM');
  const during = writer.mutation(add, { list: 'drain', text: 'during' });
  const { code, logs } = await stopped;
  expect(code).toBe(0);
  expect(logs).toContain('"msg":"stopped"');

  // The writer is on the survivor now, through the balancer, and sent again
  // what it had no answer for: the mutation the victim applied is answered
  // from its record, with the same id and no second row.
  expect(await unanswered).toBe(seenOnce[1]?._id);
  const ids = await Promise.all([...burst, during]);
  expect(new Set(ids).size).toBe(BURST + 1);
  expect(balancer.accepted().get(new URL(survivor.url).host)).toBe(1);
  await writer.mutation(add, { list: 'drain', text: 'after' });
  const seen = await written.next((n) => n.length === BURST + 4);
  expect(written.errors).toEqual([]);

  // Each mutation exactly once, as the survivor reads the database.
  const texts = (
    await new ConvexHttpClient(survivor.url).query(list, { list: 'drain' })
  ).map((note) => note.text);
  const expected = [
    'before',
    'once',
    ...Array.from({ length: BURST }, (_, i) => `burst ${i}`),
    'during',
    'after',
  ].sort();
  expect([...texts].sort()).toEqual(expected);
  expect(seen.map((note) => note.text).sort()).toEqual(expected);
  expect(seen.map((note) => note._id)).toEqual(expect.arrayContaining(ids));
}, 60_000);
