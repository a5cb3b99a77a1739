/**
 * The official client authenticated with the admin key over the sync
 * socket (`setAdminAuth`, what a dashboard does): its mutations and actions
 * reach internal functions, as an admin's HTTP calls do, while a client
 * without the key is told the function does not exist.
 */
import { makeFunctionReference } from 'convex/server';
import { expect, test } from 'vitest';
import { convexClients } from '../helpers/convex-clients.ts';
import { TEST_ADMIN_KEY, startTestServer } from '../helpers/converge-server.ts';
import { add, list } from '../helpers/notes-api.ts';

/** `BaseConvexClient.setAdminAuth` is public in convex-js but left out of its type declarations. */
interface AdminAuthenticating {
  setAdminAuth(key: string): void;
}

const purge = makeFunctionReference<'mutation', Record<string, never>, null>(
  'notes:purge',
);

test('an admin session runs an internal mutation; a plain client cannot find it', async () => {
  await using server = await startTestServer('e2e');
  await using clients = convexClients(server.url);
  const plain = clients.open();
  await plain.mutation(add, { list: 'admin', text: 'to purge' });

  await expect(plain.mutation(purge, {})).rejects.toThrow(
    "Could not find public function for 'notes:purge'",
  );
  expect(await plain.query(list, { list: 'admin' })).toHaveLength(1);

  const admin = clients.open();
  (admin.client as unknown as AdminAuthenticating).setAdminAuth(TEST_ADMIN_KEY);
  expect(await admin.mutation(purge, {})).toBeNull();
  expect(await plain.query(list, { list: 'admin' })).toEqual([]);
});
