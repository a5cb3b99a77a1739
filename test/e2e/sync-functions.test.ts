/**
 * Queries, mutations and actions through the official client against a
 * Converge server running test/apps/e2e: what resolves when, what rejects
 * with what, and what an optimistic update looks like to a subscriber.
 */
import { makeFunctionReference } from 'convex/server';
import { ConvexError, type GenericId } from 'convex/values';
import { describe, expect, test } from 'vitest';
import { convexClients } from '../helpers/convex-clients.ts';
import { startTestServer } from '../helpers/converge-server.ts';
import { watchQuery } from '../helpers/query-watch.ts';
import { add, count, list } from '../helpers/notes-api.ts';

const refuse = makeFunctionReference<'mutation', { list: string }, null>(
  'notes:refuse',
);
const broken = makeFunctionReference<'query', Record<string, never>, null>(
  'notes:broken',
);
const purge = makeFunctionReference<'mutation', Record<string, never>, null>(
  'notes:purge',
);
const addAndCount = makeFunctionReference<
  'action',
  { list: string; text: string },
  { id: GenericId<'notes'>; total: number }
>('actions:addAndCount');
const refuses = makeFunctionReference<'action', Record<string, never>, null>(
  'actions:refuses',
);
const crashes = makeFunctionReference<'action', Record<string, never>, null>(
  'actions:crashes',
);
const secret = makeFunctionReference<'action', Record<string, never>, string>(
  'actions:secret',
);

/** What a promise rejected with; fails the test if it resolved. */
async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  const outcome = await promise.then(
    (value) => ({ resolved: value }),
    (error: unknown) => ({ rejected: error }),
  );
  if (!('rejected' in outcome))
    throw new Error(`expected a rejection, got ${String(outcome.resolved)}`);
  expect(outcome.rejected).toBeInstanceOf(Error);
  return outcome.rejected as Error;
}

describe('functions through the official client', () => {
  test('a mutation resolves only once its write is in the client’s own subscribed results', async () => {
    await using server = await startTestServer('e2e');
    await using clients = convexClients(server.url);
    const client = clients.open();

    // The client watches the list before writing to it.
    using notes = watchQuery(client, list, { list: 'ryw' });
    expect(await notes.next()).toEqual([]);

    // When the mutation resolves, the Transition that released it has
    // already delivered the new result: the local answer, with no round
    // trip, contains the write.
    const id = await client.mutation(add, { list: 'ryw', text: 'first' });
    expect(
      client.client.localQueryResult('notes:list', { list: 'ryw' }),
    ).toEqual([expect.objectContaining({ _id: id, text: 'first' })]);
    expect(await client.query(list, { list: 'ryw' })).toMatchObject([
      { _id: id },
    ]);

    // Again, with several mutations in flight at once: each resolves seeing its own write.
    const ids = await Promise.all(
      ['a', 'b', 'c'].map(async (text) => {
        const written = await client.mutation(add, { list: 'ryw', text });
        const seen = client.client.localQueryResult('notes:list', {
          list: 'ryw',
        });
        expect(seen).toContainEqual(expect.objectContaining({ _id: written }));
        return written;
      }),
    );
    expect(new Set(ids).size).toBe(3);
  });

  test('a refused mutation rejects with its ConvexError data, and its write is rolled back', async () => {
    await using server = await startTestServer('e2e');
    await using clients = convexClients(server.url);
    const client = clients.open();

    const error = await rejectionOf(
      client.mutation(refuse, { list: 'refused' }),
    );
    expect(error).toBeInstanceOf(ConvexError);
    // The bigint inside the data survives the trip as a bigint.
    expect(
      (error as ConvexError<{ code: string; limit: bigint }>).data,
    ).toEqual({ code: 'refused', limit: 3n });
    expect(error.message).toContain('[CONVEX M(notes:refuse)]');
    expect(await client.query(count, { list: 'refused' })).toBe(0);
  });

  test('a failing query reaches the subscriber’s error callback', async () => {
    await using server = await startTestServer('e2e');
    await using clients = convexClients(server.url);
    const client = clients.open();

    using failing = watchQuery(client, broken, {});
    const error = await failing.nextError();
    expect(error).not.toBeInstanceOf(ConvexError);
    expect(error.message).toMatch(
      /^\[CONVEX Q\(notes:broken\)\] .*the query broke/s,
    );
    expect(failing.values).toEqual([]);
  });

  test('internal functions cannot be called by a client', async () => {
    await using server = await startTestServer('e2e');
    await using clients = convexClients(server.url);
    const client = clients.open();

    const mutation = await rejectionOf(client.mutation(purge, {}));
    expect(mutation.message).toContain(
      "Could not find public function for 'notes:purge'",
    );
    const action = await rejectionOf(client.action(secret, {}));
    expect(action.message).toContain(
      "Could not find public function for 'actions:secret'",
    );
  });

  test('an optimistic update shows at once and is replaced by the server’s result', async () => {
    await using server = await startTestServer('e2e');
    await using clients = convexClients(server.url);
    const client = clients.open();

    using notes = watchQuery(client, list, { list: 'hopeful' });
    expect(await notes.next()).toEqual([]);

    const pending = client.mutation(
      add,
      { list: 'hopeful', text: 'soon' },
      {
        optimisticUpdate: (store, args: { list: string; text: string }) => {
          const current = store.getQuery(list, { list: args.list });
          if (current === undefined) return;
          store.setQuery(list, { list: args.list }, [
            ...current,
            {
              _id: 'optimistic' as GenericId<'notes'>,
              _creationTime: 0,
              list: args.list,
              text: args.text,
            },
          ]);
        },
      },
    );
    // The subscriber sees the guess before the server has answered…
    expect(notes.values.at(-1)).toEqual([
      expect.objectContaining({ _id: 'optimistic', text: 'soon' }),
    ]);
    const id = await pending;

    // …and, once the mutation resolved, the server's row in its place, with
    // no moment in between where the list went back to empty.
    expect(notes.values.at(-1)).toEqual([
      expect.objectContaining({ _id: id, text: 'soon' }),
    ]);
    expect(notes.values.map((value) => value.map((note) => note._id))).toEqual([
      [],
      ['optimistic'],
      [id],
    ]);
  });

  test('an action writes through runMutation, reads through runQuery, and a subscriber sees its write', async () => {
    await using server = await startTestServer('e2e');
    await using clients = convexClients(server.url);
    const caller = clients.open();
    const watcher = clients.open();

    using notes = watchQuery(watcher, list, { list: 'acted' });
    expect(await notes.next()).toEqual([]);

    const { id, total } = await caller.action(addAndCount, {
      list: 'acted',
      text: 'by an action',
    });
    // The action's runQuery saw its own runMutation's write.
    expect(total).toBe(1);
    expect(await notes.next((value) => value.length === 1)).toEqual([
      expect.objectContaining({ _id: id, text: 'by an action' }),
    ]);
  });

  test('a failing action rejects with its error, ConvexError data intact', async () => {
    await using server = await startTestServer('e2e');
    await using clients = convexClients(server.url);
    const client = clients.open();

    const refused = await rejectionOf(client.action(refuses, {}));
    expect(refused).toBeInstanceOf(ConvexError);
    expect(
      (refused as ConvexError<{ reason: string; attempts: bigint }>).data,
    ).toEqual({ reason: 'not today', attempts: 2n });
    expect(refused.message).toContain('[CONVEX A(actions:refuses)]');

    const crashed = await rejectionOf(client.action(crashes, {}));
    expect(crashed).not.toBeInstanceOf(ConvexError);
    expect(crashed.message).toMatch(
      /^\[CONVEX A\(actions:crashes\)\] .*the action crashed/s,
    );
  });
});
