/**
 * A stored file's bytes leave the disk when the mutation or action that
 * deletes it commits, not only its `_storage` document: the storage folder
 * does not keep what no document names.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ConvexHttpClient } from 'convex/browser';
import { makeFunctionReference } from 'convex/server';
import { expect, test } from 'vitest';
import { startTestServer } from '../helpers/converge-server.ts';
import { eventually } from '../helpers/eventually.ts';

const storeText = makeFunctionReference<'mutation', { text: string }, string>(
  'files:storeText',
);
const remove = makeFunctionReference<'mutation', { id: string }, null>(
  'files:remove',
);
const roundTrip = makeFunctionReference<
  'action',
  { text: string },
  { id: string }
>('files:roundTrip');

test('deleting a stored file from a mutation or an action removes its bytes', async () => {
  await using server = await startTestServer('basic');
  const client = new ConvexHttpClient(server.url);
  const onDisk = (id: string) =>
    existsSync(join(server.dataDir, 'storage', id));

  const id = await client.mutation(storeText, { text: 'to be deleted' });
  expect(onDisk(id)).toBe(true);
  await client.mutation(remove, { id });
  await eventually(() => expect(onDisk(id)).toBe(false));
  expect((await fetch(`${server.url}/api/storage/${id}`)).status).toBe(404);

  // An action stores, reads and deletes: nothing is left behind either.
  const { id: fromAction } = await client.action(roundTrip, { text: 'a,b' });
  await eventually(() => expect(onDisk(fromAction)).toBe(false));
});
