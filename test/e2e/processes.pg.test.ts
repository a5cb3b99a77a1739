/**
 * Two Converge servers on one PostgreSQL database, as two processes of a
 * deployment behind a load balancer: a client of one sees, live, what a
 * client of the other writes, and functions on one see the environment
 * variables set through the other. DATABASE_URL names the PostgreSQL
 * server; unreachable means failing, never skipping.
 */
import { ConvexHttpClient } from 'convex/browser';
import { makeFunctionReference } from 'convex/server';
import { expect, test } from 'vitest';
import { convexClients } from '../helpers/convex-clients.ts';
import { TEST_ADMIN_KEY } from '../helpers/converge-server.ts';
import { watchQuery } from '../helpers/query-watch.ts';
import { twoServers } from '../helpers/two-servers.ts';

const send = makeFunctionReference<'mutation'>('messages:send');
const list = makeFunctionReference<
  'query',
  { channel: string },
  { body: string }[]
>('messages:list');
const read = makeFunctionReference<
  'query',
  Record<string, never>,
  string | null
>('env:read');

test('a subscriber on one server sees the mutations sent through another on the same database', async () => {
  await using servers = await twoServers('basic');
  const { a, b } = servers;
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

test('an environment variable set through one server is what functions on another see, live', async () => {
  await using servers = await twoServers('cli');
  const { a, b } = servers;
  await using clientsB = convexClients(b.url);
  using greeting = watchQuery(clientsB.open(), read, {});
  expect(await greeting.next()).toBeNull();

  const set = await fetch(`${a.url}/api/update_environment_variables`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Convex ${TEST_ADMIN_KEY}`,
    },
    body: JSON.stringify({
      changes: [{ name: 'GREETING', value: 'set on a' }],
    }),
  });
  expect(set.status).toBe(200);
  expect(await greeting.next((value) => value !== null)).toBe('set on a');
}, 30_000);

test('an HTTP query through one server sees, at once, the mutation an HTTP client just made through another', async () => {
  await using servers = await twoServers('basic');
  const { a, b } = servers;
  const throughA = new ConvexHttpClient(a.url);
  const throughB = new ConvexHttpClient(b.url);
  // As a load balancer may send one client's requests to any process: each
  // query follows a mutation on the other, with no wait in between.
  for (let i = 0; i < 20; i++) {
    const [writer, reader] =
      i % 2 === 0 ? [throughA, throughB] : [throughB, throughA];
    await writer.mutation(send, { channel: 'http', body: `m${i}` });
    const seen = await reader.query(list, { channel: 'http' });
    expect(seen.map((m) => m.body)).toContain(`m${i}`);
  }
}, 30_000);
