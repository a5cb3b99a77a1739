/**
 * Two Converge servers on one PostgreSQL database, as two processes of a
 * deployment behind a load balancer: a client of one sees, live, what a
 * client of the other writes, and the other way round. DATABASE_URL names
 * the PostgreSQL server; unreachable means failing, never skipping.
 */
import { makeFunctionReference } from 'convex/server';
import { expect, test } from 'vitest';
import { convexClients } from '../helpers/convex-clients.ts';
import {
  startTestServer,
  temporaryDataDir,
} from '../helpers/converge-server.ts';
import { freshDatabase } from '../helpers/fresh-database.ts';
import { watchQuery } from '../helpers/query-watch.ts';

const send = makeFunctionReference<'mutation'>('messages:send');
const list = makeFunctionReference<
  'query',
  { channel: string },
  { body: string }[]
>('messages:list');

test('a subscriber on one server sees the mutations sent through another on the same database', async () => {
  await using database = await freshDatabase('converge_processes');
  await using dataA = temporaryDataDir();
  await using dataB = temporaryDataDir();
  await using a = await startTestServer('basic', {
    data: dataA.path,
    databaseUrl: database.url,
  });
  await using b = await startTestServer('basic', {
    data: dataB.path,
    databaseUrl: database.url,
  });
  await using clientsA = convexClients(a.url);
  await using clientsB = convexClients(b.url);
  const onA = clientsA.open();
  const onB = clientsB.open();

  using seenOnB = watchQuery(onB, list, { channel: 'shared' });
  using seenOnA = watchQuery(onA, list, { channel: 'shared' });
  expect(await seenOnB.next()).toEqual([]);

  await onA.mutation(send, { channel: 'shared', body: 'through a' });
  const bodies = (messages: { body: string }[]) => messages.map((m) => m.body);
  expect(bodies(await seenOnB.next((m) => m.length === 1))).toEqual([
    'through a',
  ]);

  await onB.mutation(send, { channel: 'shared', body: 'through b' });
  expect(bodies(await seenOnA.next((m) => m.length === 2))).toEqual([
    'through a',
    'through b',
  ]);
  expect(seenOnA.errors).toEqual([]);
  expect(seenOnB.errors).toEqual([]);
}, 30_000);
